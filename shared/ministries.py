"""The five identities of CONTRACT.md: two responsible ministries that submit, three related ones that read."""

from enum import StrEnum


class Ministry(StrEnum):
    KEMENDAGRI = "kemendagri"
    KOMINFO = "kominfo"
    KEMENPANRB = "kemenpanrb"
    BAPPENAS = "bappenas"
    KSP = "ksp"

    @property
    def is_responsible(self) -> bool:
        return self in RESPONSIBLE


RESPONSIBLE = (Ministry.KEMENDAGRI, Ministry.KOMINFO)

NAMES = {
    Ministry.KEMENDAGRI: "Kementerian Dalam Negeri",
    Ministry.KOMINFO: "Kementerian Komunikasi dan Informatika",
    Ministry.KEMENPANRB: "Kementerian PAN-RB",
    Ministry.BAPPENAS: "Kementerian PPN/Bappenas",
    Ministry.KSP: "Kantor Staf Presiden",
}
