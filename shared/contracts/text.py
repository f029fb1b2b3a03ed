"""What a submission's text fields may hold: Unicode text of a bounded length, without control characters.

No field takes C0 or C1 control characters (U+0000–U+001F, U+007F–U+009F) or lone surrogates: they are not
text a person wrote, and some stores refuse them (PostgreSQL refuses U+0000). Free text (`note`, `reason`)
may hold tab, line feed and carriage return; a name (`title`, `session_id`) is one line.

`line` and `paragraphs` give a text field's metadata, unpacked into its annotation (`Annotated[str, *line(128)]`):
a type checker takes no call as a type.
"""

import re

from pydantic import AfterValidator, Field, StringConstraints
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINE_BREAKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _checked(control: re.Pattern[str], what_is_allowed: str) -> AfterValidator:
    def check(value: str) -> str:
        if _SURROGATE.search(value):
            raise PydanticCustomError("text_surrogate", "must be Unicode text: it holds a lone surrogate")
        if control.search(value):
            raise PydanticCustomError("text_control_character", f"must not hold control characters{what_is_allowed}")
        return value

    return AfterValidator(check)


def line(max_length: int) -> tuple[StringConstraints, FieldInfo, AfterValidator]:
    """One line of text, its surrounding white space taken off."""
    constraints = StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)
    described = Field(description="One line of text: no control characters, white space around it taken off.")
    return constraints, described, _checked(_CONTROL, "")


def paragraphs(max_length: int, required: bool = True) -> tuple[StringConstraints, FieldInfo, AfterValidator]:
    """Free text: lines separated by line feeds (or carriage return and line feed), tabs allowed. Required
    text has something besides white space, which is taken off around it."""
    constraints = StringConstraints(strip_whitespace=required, min_length=1 if required else None, max_length=max_length)
    described = Field(description="Free text: no control characters but tab, line feed and carriage return.")
    return constraints, described, _checked(_CONTROL_BUT_LINE_BREAKS, " other than tab, line feed and carriage return")
