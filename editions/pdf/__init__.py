"""The PDF edition: WeasyPrint layout, PDF/UA tagging repairs, the listen box."""
