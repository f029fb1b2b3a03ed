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
# The OGI secretariat (contract 1.1's role): reads read-only as in version 1, but uploads evidence and reads
# every private evidence file.
SECRETARIAT = Ministry.BAPPENAS

NAMES = {
    Ministry.KEMENDAGRI: "Kementerian Dalam Negeri",
    Ministry.KOMINFO: "Kementerian Komunikasi dan Informatika",
    Ministry.KEMENPANRB: "Kementerian PAN-RB",
    Ministry.BAPPENAS: "Kementerian PPN/Bappenas",
    Ministry.KSP: "Kantor Staf Presiden",
}
