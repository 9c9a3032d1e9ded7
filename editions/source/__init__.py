"""Reading the article: front matter, pandoc AST, bibliography, lexicon, sentences."""
