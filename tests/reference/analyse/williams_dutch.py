"""Williams et al.'s Dutch colour-naming file imported without items and with its two crossed
factors kept as named columns (``factor:``): the mapping, model and filter the no-item tests use
(tests/test_analyse_no_items.py, tests/test_analyse_items.py)."""

FORMULA = "rt_ms ~ congruency*response_language + (1 + congruency | participant)"
WHERE = "correct == True and rt_ms >= 200 and rt_ms <= 3000"
TERMS = {"(Intercept)": "(Intercept)", "congruencyNeutral": "congruencyNeutral",
         "response_languageEnglish": "response_languageEnglish",
         "congruencyNeutral:response_languageEnglish": "congruencyNeutral:response_languageEnglish"}

MAPPING = """
[source]
separator = ","
# RT = -1: no voice onset measured (missing, as the bundled mapping reads it; the filter drops it)
na_values = ["NA", "N/A", "NaN", "nan", "", "-1"]
[dataset]
study = "williams_dutch"
citation = "Williams et al., Within and between language control (Dutch file)"
licence = "CC-BY 4.0"
[columns]
participant = "SubjectID"
trial_index = "SubjectTrialNumber"
correct = "Accuracy"
rt_ms = "RT"
"factor:congruency" = "Stroop"
"factor:response_language" = "Language"
[constants]
task = "stroop"
instruction = "colour_naming"
[values.correct]
"Correct" = true
"Incorrect Language" = false
"Incorrect Colour" = false
"No/Other Sound" = false
"""
