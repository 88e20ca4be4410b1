"""The applicant's data asked when a request starts, checked by the same rules as every form.

Only these keys are checked; a request may carry other starting variables (API clients set
what their SOP's conditions read), which pass as they are.
"""

from engine.form_rules import FieldRules
from engine.forms import FormField

NIK = FieldRules(
    pattern=r"[0-9]{16}",
    pattern_message="NIK terdiri dari tepat 16 angka.",
    pattern_message_en="A NIK has exactly 16 digits.",
)
# Indonesian mobile numbers: 08… or +62 8…, spaces or dashes between groups allowed.
PHONE = FieldRules(
    pattern=r"(\+62 ?|62 ?|0)8[0-9]([0-9]|[ -][0-9]){6,12}",
    pattern_message="Isi nomor ponsel, seperti 0812 3456 7890 atau +62 812 3456 7890.",
    pattern_message_en="Enter a mobile number, such as 0812 3456 7890 or +62 812 3456 7890.",
)
APPLICANT_FIELDS: tuple[FormField, ...] = (
    FormField(
        "pemohon", "text", "Nama pemohon", "Applicant's name", rules=FieldRules(max_length=200)
    ),
    FormField("nik", "text", "NIK", "NIK (national identity number)", rules=NIK),
    FormField("telepon", "text", "Nomor telepon", "Phone", rules=PHONE),
    FormField("alamat", "textarea", "Alamat", "Address", rules=FieldRules(max_length=1000)),
    FormField("keperluan", "text", "Keperluan", "Purpose", rules=FieldRules(max_length=500)),
)
