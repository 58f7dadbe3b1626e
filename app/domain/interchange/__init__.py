"""Banks in other systems' formats: Moodle XML (`moodle`), GIFT (`gift`) and IMS QTI 2.1 packages (`qti`).

Each reader turns a file into the bank YAML's shape (a `BankDocument` of marked maps, lines from the file), so the
same validation serves every format; each writer turns a `BankSpec` into the format's bytes. What a question type
is in a format, the type says (`QuestionType.moodle`, `.qti`); `shared` holds what the formats agree on.
"""
