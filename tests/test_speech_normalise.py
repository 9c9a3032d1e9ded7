"""Speech normalisation: a table of written → spoken pairs in en-US and en-GB.

Run against the normaliser directly (no audio), one case per rule and locale; the
categories are those issue 20 lists, and each has cases in the table.
"""

from __future__ import annotations

import pytest

from editions.audio.normalise import locale_for, normalise, written_only_forms

CATEGORIES = {
    "number", "decimal", "ordinal", "fraction", "range", "percent", "money", "year",
    "date", "time", "phone", "unit", "symbol", "abbreviation", "initialism", "url",
    "email", "doi", "html",
}  # fmt: skip

# (locale, category, written, spoken)
CASES = [
    ("en-US", "number", "There are 7 steps.", "There are seven steps."),
    ("en-US", "number", "2. Ask your doctor.", "Two. Ask your doctor."),
    (
        "en-US",
        "number",
        "Around 128 people.",
        "Around one hundred twenty-eight people.",
    ),
    (
        "en-GB",
        "number",
        "Around 128 people.",
        "Around one hundred and twenty-eight people.",
    ),
    (
        "en-US",
        "number",
        "Almost 450,000 died.",
        "Almost four hundred fifty thousand died.",
    ),
    (
        "en-GB",
        "number",
        "Almost 450,000 died.",
        "Almost four hundred and fifty thousand died.",
    ),
    ("en-US", "number", "It was 1,000,000.", "It was one million."),
    ("en-US", "number", "Count 0 errors.", "Count zero errors."),
    ("en-US", "number", "About 10000 steps.", "About ten thousand steps."),
    ("en-GB", "number", "It fell to -5 overnight.", "It fell to minus five overnight."),
    ("en-US", "number", "It fell to −3.", "It fell to minus three."),
    ("en-US", "number", "Take vitamin B12.", "Take vitamin B twelve."),
    ("en-GB", "number", "COVID-19 vaccines", "Covid-nineteen vaccines"),
    ("en-US", "decimal", "A score of 2.5 is low.", "A score of two point five is low."),
    ("en-GB", "decimal", "A ratio of 0.75.", "A ratio of zero point seven five."),
    ("en-US", "decimal", "It rose by 1.05.", "It rose by one point zero five."),
    ("en-GB", "decimal", "About 3.14 times.", "About three point one four times."),
    ("en-US", "ordinal", "The 1st dose.", "The first dose."),
    ("en-US", "ordinal", "The 2nd week.", "The second week."),
    ("en-GB", "ordinal", "The 3rd visit.", "The third visit."),
    ("en-GB", "ordinal", "The 21st day.", "The twenty-first day."),
    ("en-US", "ordinal", "On the 100th day.", "On the one hundredth day."),
    ("en-GB", "ordinal", "On the 112th day.", "On the one hundred and twelfth day."),
    ("en-GB", "fraction", "Take ½ a tablet.", "Take a half a tablet."),
    ("en-GB", "fraction", "Take 2½ tablets.", "Take two and a half tablets."),
    ("en-US", "fraction", "Drink ¾ of a cup.", "Drink three quarters of a cup."),
    ("en-US", "fraction", "Add ¼ teaspoon.", "Add a quarter teaspoon."),
    ("en-GB", "fraction", "About ⅓ of people.", "About one third of people."),
    ("en-US", "fraction", "About ⅔ of people.", "About two thirds of people."),
    ("en-US", "fraction", "Take 1/2 tablet.", "Take a half tablet."),
    ("en-GB", "fraction", "Only 3/4 of them.", "Only three quarters of them."),
    ("en-US", "fraction", "Just 1/3 of users.", "Just one third of users."),
    ("en-US", "fraction", "Cut 1½ inches.", "Cut one and a half inches."),
    ("en-GB", "range", "For 2–4 weeks.", "For two to four weeks."),
    ("en-US", "range", "For 2-4 weeks.", "For two to four weeks."),
    ("en-US", "range", "Ages 18–65.", "Ages eighteen to sixty-five."),
    (
        "en-GB",
        "range",
        "From 1999–2018.",
        "From nineteen ninety-nine to twenty eighteen.",
    ),
    ("en-US", "range", "Take 1 to 5 mg a day.", "Take one to five milligrams a day."),
    ("en-US", "range", "Take 1-5 mg.", "Take one to five milligrams."),
    ("en-GB", "range", "Wait 10 – 15 minutes.", "Wait ten to fifteen minutes."),
    (
        "en-US",
        "range",
        "Between 3.5–5.5 mmol/L.",
        "Between three point five to five point five millimoles per liter.",
    ),
    ("en-US", "percent", "About 50% of people.", "About fifty percent of people."),
    ("en-GB", "percent", "A 10–20% rise.", "A ten to twenty percent rise."),
    ("en-US", "percent", "Only 0.5% had it.", "Only zero point five percent had it."),
    ("en-GB", "percent", "Nearly 100 % agreed.", "Nearly one hundred percent agreed."),
    ("en-US", "percent", "It is 1% of cases.", "It is one percent of cases."),
    (
        "en-US",
        "money",
        "It costs $635 billion dollars.",
        "It costs six hundred thirty-five billion dollars.",
    ),
    (
        "en-US",
        "money",
        "It costs $635 billion.",
        "It costs six hundred thirty-five billion dollars.",
    ),
    ("en-US", "money", "It costs $12.50.", "It costs twelve dollars and fifty cents."),
    ("en-US", "money", "It costs $1.", "It costs one dollar."),
    ("en-US", "money", "It costs $20.", "It costs twenty dollars."),
    ("en-US", "money", "It costs $3.01.", "It costs three dollars and one cent."),
    ("en-GB", "money", "It costs £4.50.", "It costs four pounds fifty."),
    ("en-GB", "money", "It costs £1.", "It costs one pound."),
    (
        "en-GB",
        "money",
        "A prescription costs £9.90.",
        "A prescription costs nine pounds ninety.",
    ),
    ("en-GB", "money", "It costs €10.", "It costs ten euros."),
    ("en-GB", "money", "It costs 50p.", "It costs fifty pence."),
    (
        "en-GB",
        "money",
        "The NHS spends £2.5 billion.",
        "The N H S spends two point five billion pounds.",
    ),
    ("en-US", "money", "A $1,200 bill.", "A one thousand two hundred dollars bill."),
    (
        "en-US",
        "year",
        "In 1971, it was approved.",
        "In nineteen seventy-one, it was approved.",
    ),
    ("en-US", "year", "It was not until 2007.", "It was not until two thousand seven."),
    (
        "en-GB",
        "year",
        "It was not until 2007.",
        "It was not until two thousand and seven.",
    ),
    (
        "en-US",
        "year",
        "In 2014 a study came out.",
        "In twenty fourteen a study came out.",
    ),
    (
        "en-GB",
        "year",
        "Since 2000 things changed.",
        "Since two thousand things changed.",
    ),
    ("en-US", "year", "In the 1990s.", "In the nineteen nineties."),
    ("en-GB", "year", "In the 2020s.", "In the twenty twenties."),
    (
        "en-US",
        "year",
        "About 1500 patients took part.",
        "About one thousand five hundred patients took part.",
    ),
    (
        "en-GB",
        "year",
        "In 2019 researchers met.",
        "In twenty nineteen researchers met.",
    ),
    ("en-US", "year", "She walked 2000 steps.", "She walked two thousand steps."),
    (
        "en-US",
        "year",
        "A total of 2019 people.",
        "A total of two thousand nineteen people.",
    ),
    (
        "en-GB",
        "date",
        "Seen on 14/03/2025.",
        "Seen on the fourteenth of March twenty twenty-five.",
    ),
    (
        "en-US",
        "date",
        "Seen on 03/14/2025.",
        "Seen on March fourteenth, twenty twenty-five.",
    ),
    (
        "en-GB",
        "date",
        "Seen on 03/04/2025.",
        "Seen on the third of April twenty twenty-five.",
    ),
    (
        "en-US",
        "date",
        "Seen on 03/04/2025.",
        "Seen on March fourth, twenty twenty-five.",
    ),
    (
        "en-US",
        "date",
        "Seen on 14/03/2025.",
        "Seen on March fourteenth, twenty twenty-five.",
    ),
    ("en-GB", "date", "Due 1.6.2025.", "Due the first of June twenty twenty-five."),
    ("en-GB", "date", "Due 2025-06-01.", "Due the first of June twenty twenty-five."),
    ("en-US", "date", "Due 2025-06-01.", "Due June first, twenty twenty-five."),
    (
        "en-GB",
        "date",
        "Due 14 March 2025.",
        "Due the fourteenth of March twenty twenty-five.",
    ),
    (
        "en-US",
        "date",
        "Due March 14, 2025.",
        "Due March fourteenth, twenty twenty-five.",
    ),
    ("en-GB", "date", "Due 5th May.", "Due the fifth of May."),
    ("en-US", "date", "Due May 5.", "Due May fifth."),
    (
        "en-GB",
        "date",
        "Born 01/02/99.",
        "Born the first of February twenty ninety-nine.",
    ),
    ("en-US", "time", "At 9:30 am.", "At nine thirty A M."),
    ("en-GB", "time", "At 5 pm.", "At five P M."),
    ("en-GB", "time", "At 5pm today.", "At five P M today."),
    ("en-US", "time", "At 9:05 a.m. sharp.", "At nine oh five A M sharp."),
    ("en-US", "time", "Come at 9 a.m.", "Come at nine A M."),
    ("en-GB", "time", "Open at 14:00.", "Open at fourteen hundred."),
    ("en-GB", "time", "Open at 14:30.", "Open at fourteen thirty."),
    ("en-GB", "time", "Open at 8:00.", "Open at eight o'clock."),
    ("en-US", "time", "Open 10:15 to 11:45.", "Open ten fifteen to eleven forty-five."),
    ("en-GB", "phone", "If unwell, call 999.", "If unwell, call nine nine nine."),
    ("en-GB", "phone", "Dial 999 now.", "Dial nine nine nine now."),
    ("en-GB", "phone", "Call 111 for advice.", "Call one one one for advice."),
    (
        "en-GB",
        "phone",
        "We saw 111 patients.",
        "We saw one hundred and eleven patients.",
    ),
    ("en-US", "phone", "Call 911 at once.", "Call nine one one at once."),
    ("en-US", "phone", "Call or text 988.", "Call or text nine eight eight."),
    (
        "en-GB",
        "phone",
        "Ring 0800 123 4567.",
        "Ring oh eight oh oh, one two three, four five six seven.",
    ),
    (
        "en-GB",
        "phone",
        "Phone 020 7946 0958.",
        "Phone oh two oh, seven nine four six, oh nine five eight.",
    ),
    (
        "en-GB",
        "phone",
        "Phone +44 20 7946 0958.",
        "Phone plus four four, two oh, seven nine four six, oh nine five eight.",
    ),
    (
        "en-US",
        "phone",
        "Call (555) 123-4567.",
        "Call five five five, one two three, four five six seven.",
    ),
    (
        "en-US",
        "phone",
        "Call 1-800-273-8255.",
        "Call one, eight zero zero, two seven three, eight two five five.",
    ),
    (
        "en-GB",
        "phone",
        "Phone 02079460958.",
        "Phone oh two oh seven nine four six oh nine five eight.",
    ),
    (
        "en-GB",
        "unit",
        "A level of 130 g/L.",
        "A level of one hundred and thirty grams per litre.",
    ),
    (
        "en-US",
        "unit",
        "A level of 130 g/L.",
        "A level of one hundred thirty grams per liter.",
    ),
    ("en-GB", "unit", "Ferritin 9 µg/L.", "Ferritin nine micrograms per litre."),
    ("en-US", "unit", "Ferritin 9 μg/L.", "Ferritin nine micrograms per liter."),
    (
        "en-GB",
        "unit",
        "Potassium 4.1 mmol/L.",
        "Potassium four point one millimoles per litre.",
    ),
    ("en-GB", "unit", "Bilirubin 12 µmol/L.", "Bilirubin twelve micromoles per litre."),
    ("en-US", "unit", "Glucose 90 mg/dL.", "Glucose ninety milligrams per deciliter."),
    ("en-US", "unit", "Take 1 mg.", "Take one milligram."),
    ("en-US", "unit", "Take 0.5 mg.", "Take zero point five milligrams."),
    ("en-US", "unit", "Take 50 mcg.", "Take fifty micrograms."),
    ("en-GB", "unit", "Drink 5 mL.", "Drink five millilitres."),
    ("en-US", "unit", "Drink 5 ml.", "Drink five milliliters."),
    ("en-GB", "unit", "Store below 25 °C.", "Store below twenty-five degrees Celsius."),
    (
        "en-US",
        "unit",
        "Above 100.4°F.",
        "Above one hundred point four degrees Fahrenheit.",
    ),
    (
        "en-GB",
        "unit",
        "A BMI of 30 kg/m².",
        "A B M I of thirty kilograms per square metre.",
    ),
    (
        "en-US",
        "unit",
        "A BMI of 30 kg/m2.",
        "A B M I of thirty kilograms per square meter.",
    ),
    (
        "en-GB",
        "unit",
        "Below 140/90 mmHg.",
        "Below one hundred and forty over ninety millimetres of mercury.",
    ),
    (
        "en-US",
        "unit",
        "Take 1000 IU daily.",
        "Take one thousand international units daily.",
    ),
    ("en-US", "unit", "Take 3 times/day.", "Take three times a day."),
    ("en-GB", "unit", "Take it 2×/day.", "Take it two times a day."),
    ("en-GB", "unit", "Take it ×/day.", "Take it times a day."),
    ("en-US", "unit", "Take 10 mg/day.", "Take ten milligrams a day."),
    ("en-US", "unit", "Dose 2 mg/kg.", "Dose two milligrams per kilogram."),
    ("en-US", "unit", "Weigh 70 kg.", "Weigh seventy kilograms."),
    ("en-US", "unit", "Walk 5 km.", "Walk five kilometers."),
    ("en-GB", "unit", "Walk 5 km.", "Walk five kilometres."),
    ("en-US", "unit", "A 2 cm cut.", "A two centimeters cut."),
    ("en-US", "unit", "Rest 30 min.", "Rest thirty minutes."),
    ("en-US", "unit", "Wait 2 h.", "Wait two hours."),
    ("en-US", "unit", "A pulse of 72 bpm.", "A pulse of seventy-two beats per minute."),
    ("en-US", "unit", "Dose in mg or µg.", "Dose in milligrams or micrograms."),
    ("en-GB", "unit", "Results in mmol/L.", "Results in millimoles per litre."),
    ("en-US", "symbol", "Salt & pepper.", "Salt and pepper."),
    ("en-GB", "symbol", "Go to A&E.", "Go to A and E."),
    ("en-US", "symbol", "A 3 × 2 grid.", "A three times two grid."),
    ("en-US", "symbol", "It is 5 ± 1.", "It is five plus or minus one."),
    ("en-US", "symbol", "Adults ≥ 18.", "Adults at least eighteen."),
    ("en-US", "symbol", "Children ≤ 12.", "Children at most twelve."),
    ("en-US", "symbol", "Use and/or mix.", "Use and or mix."),
    ("en-GB", "symbol", "Tablets/capsules.", "Tablets or capsules."),
    ("en-US", "symbol", "Ages 65+.", "Ages sixty-five plus."),
    ("en-US", "symbol", "© Test Clinic.", "Copyright Test Clinic."),
    ("en-US", "symbol", "A score > 10.", "A score more than ten."),
    ("en-US", "symbol", "A score < 10.", "A score less than ten."),
    ("en-US", "symbol", "Take 2x daily.", "Take two times daily."),
    ("en-US", "symbol", "About ~5 people.", "About about five people."),
    ("en-GB", "symbol", "Help 24/7.", "Help twenty-four seven."),
    ("en-US", "unit", "Give 5 mg/kg/day.", "Give five milligrams per kilogram a day."),
    ("en-US", "abbreviation", "Fruit, e.g. apples.", "Fruit, for example apples."),
    (
        "en-US",
        "abbreviation",
        "The dose, i.e. 5 mg.",
        "The dose, that is five milligrams.",
    ),
    ("en-US", "abbreviation", "Pills vs. shots.", "Pills versus shots."),
    ("en-US", "abbreviation", "Ask Dr. Lee.", "Ask Doctor Lee."),
    ("en-GB", "abbreviation", "Ask Dr Lee.", "Ask Doctor Lee."),
    (
        "en-US",
        "abbreviation",
        "It takes approx. 5 days.",
        "It takes approximately five days.",
    ),
    ("en-US", "abbreviation", "Tea, coffee, etc.", "Tea, coffee, et cetera."),
    ("en-US", "abbreviation", "Doe et al. found it.", "Doe and colleagues found it."),
    ("en-US", "abbreviation", "See p. 12.", "See page twelve."),
    ("en-GB", "abbreviation", "Form No. 5.", "Form number five."),
    ("en-US", "abbreviation", "See Fig. 2.", "See Figure two."),
    ("en-GB", "initialism", "Your BMI is high.", "Your B M I is high."),
    ("en-GB", "initialism", "See your GP.", "See your G P."),
    ("en-GB", "initialism", "The NHS pays.", "The N H S pays."),
    ("en-US", "initialism", "Ask about LDN.", "Ask about L D N."),
    ("en-US", "initialism", "It is FDA-approved.", "It is F D A-approved."),
    ("en-US", "initialism", "It treats HIV.", "It treats H I V."),
    ("en-GB", "initialism", "Ask two GPs.", "Ask two G P's."),
    ("en-US", "initialism", "The AIDS epidemic.", "The aids epidemic."),
    ("en-GB", "initialism", "NICE guidance.", "Nice guidance."),
    ("en-US", "initialism", "Type II diabetes.", "Type II diabetes."),
    ("en-GB", "initialism", "Stage IV cancer.", "Stage IV cancer."),
    ("en-GB", "initialism", "An IV drip.", "An I V drip."),
    ("en-GB", "initialism", "The US and UK.", "The U S and U K."),
    ("en-GB", "initialism", "NOTE: take it with food.", "Note: take it with food."),
    ("en-US", "initialism", "Do NOT take two.", "Do not take two."),
    ("en-US", "initialism", "Ask about ADHD.", "Ask about A D H D."),
    ("en-US", "initialism", "Reply ASAP.", "Reply A S A P."),
    ("en-US", "initialism", "Ask NASA.", "Ask nasa."),
    ("en-US", "initialism", "A CT scan.", "A C T scan."),
    ("en-US", "initialism", "DO NOT TAKE TWICE.", "Do not take twice."),
    (
        "en-GB",
        "url",
        "Read www.nhs.uk/conditions/pain today.",
        "Read N H S dot U K today.",
    ),
    (
        "en-US",
        "url",
        "See https://www.cdc.gov/opioids/index.html.",
        "See C D C dot gov.",
    ),
    ("en-US", "url", "Visit https://example.org now.", "Visit example dot org now."),
    (
        "en-GB",
        "email",
        "E-mail help@clinic.nhs.uk.",
        "E-mail help at clinic dot N H S dot U K.",
    ),
    (
        "en-US",
        "email",
        "Write to jane.doe@example.com.",
        "Write to jane dot doe at example dot com.",
    ),
    ("en-US", "doi", "See https://doi.org/10.1000/182.", "See a D O I link."),
    (
        "en-US",
        "doi",
        "See doi:10.1016/j.pec.2014.05.027 for more.",
        "See a D O I link for more.",
    ),
    ("en-US", "html", "Write <b>bold</b> like this.", "Write code example like this."),
    (
        "en-GB",
        "html",
        "A heading is <h2>Iron</h2> in HTML.",
        "A heading is code example in H T M L.",
    ),
    ("en-US", "html", "Add <br/> for a break.", "Add code example for a break."),
    ("en-US", "html", 'Use <a href="x">a link</a> here.', "Use code example here."),
    ("en-US", "html", "Hide it with <!-- a comment -->.", "Hide it with code example."),
]


@pytest.mark.parametrize(
    ("lang", "written", "spoken"),
    [(lang, written, spoken) for lang, _c, written, spoken in CASES],
    ids=[f"{lang}-{category}-{n}" for n, (lang, category, _w, _s) in enumerate(CASES)],
)
def test_written_is_spoken(lang: str, written: str, spoken: str) -> None:
    assert normalise(written, lang) == spoken


def test_the_table_covers_every_category_in_both_locales() -> None:
    assert len(CASES) >= 150
    assert {category for _l, category, _w, _s in CASES} == CATEGORIES
    assert {lang for lang, *_ in CASES} == {"en-US", "en-GB"}


@pytest.mark.parametrize(("lang", "category", "written", "spoken"), CASES)
def test_spoken_forms_keep_nothing_only_a_reader_can_use(
    lang: str, category: str, written: str, spoken: str
) -> None:
    # The table itself is held to the rule the script check applies.
    assert written_only_forms(spoken) == []


def test_written_only_forms_are_found() -> None:
    found = written_only_forms("Take 5 mg/day at 25 °C & call <b>999</b>.")
    assert {"5", "/", "°", "&", "<b>"} <= set(found)


def test_the_lexicon_words_are_left_for_the_lexicon() -> None:
    # "LDN" is not spelled out and "B12" keeps its digits when the lexicon names them.
    protected = normalise("LDN and B12 for 2 weeks.", "en-US", protect=["LDN", "B12"])
    assert protected == "LDN and B12 for two weeks."
    assert normalise("LDN and B12.", "en-US") == "L D N and B twelve."


def test_locale_follows_the_article_language() -> None:
    assert locale_for("en-GB") is locale_for("en-IE") is locale_for("en_AU")
    assert locale_for("en") is locale_for("en-US") is locale_for("en-CA")
    assert locale_for("en-GB") is not locale_for("en-US")
    assert locale_for("de-DE") is None


def test_another_language_is_left_as_written() -> None:
    # No German rules yet: the text is not mangled by English ones.
    assert normalise("Nehmen Sie 5 mg am 14.03.2025.", "de") == (
        "Nehmen Sie 5 mg am 14.03.2025."
    )
