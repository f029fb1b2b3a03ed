"""The template officers fill: a workbook with the instructions and one sheet per kind, or one CSV.

Each sheet has its header row (bold, frozen, each header's hint in a note), one example row (Kota Makassar),
column widths, cells formatted for what they hold (dates as dates; codes and ids as text, so that Excel
keeps 73.71 as written) and, where Excel can check a value as it is typed, a validation: ya/tidak, a
whole number of participants, a date from 2018 on, and a list of the sectors to pick from.
"""

import csv
import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from services.gateway.workspace.cells import shown
from services.gateway.workspace.columns import INSTRUCTIONS, KIND, MIXED_COLUMNS, SECTOR_NAMES, SHEETS, SUBMISSION_ID, CellType, Column, Sheet
from services.gateway.workspace.tables import MAX_ROWS
from shared.contracts.submissions import EARLIEST, MOST_PARTICIPANTS

DATE_FORMAT = "yyyy-mm-dd"
NUMBER_FORMATS = {CellType.DATE: DATE_FORMAT, CellType.WHOLE_NUMBER: "0"}
TEXT_FORMAT = "@"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
WRAPPED = Alignment(wrap_text=True, vertical="top")
_NAMES = {language: ", ".join(sheet.name[language] for sheet in SHEETS) for language in ("id", "en")}
_SECTORS = {language: ", ".join(words[language] for words in SECTOR_NAMES.values()) for language in ("id", "en")}
STEPS = (
    (
        f"Setiap lembar adalah satu jenis kegiatan ({_NAMES['id']}); satu baris adalah satu kegiatan.",
        f"Each sheet is one kind of action ({_NAMES['en']}); one row is one action.",
    ),
    (
        "Baris 2 setiap lembar adalah contoh (Kota Makassar): tulis di atasnya atau hapus. Baris contoh yang dibiarkan ikut dikirim.",
        "Row 2 of each sheet is an example (Kota Makassar): overwrite or delete it. An example row left in is sent like any other.",
    ),
    (
        "Jangan ubah nama lembar dan judul kolom. Lembar yang tidak diperlukan boleh dibiarkan kosong atau dihapus.",
        "Keep the sheet names and column headers as they are. Sheets you do not need may stay empty or be deleted.",
    ),
    (
        "Tanggal: sel tanggal, atau teks 2019-03-05 (YYYY-MM-DD) atau 05/03/2019 (DD/MM/YYYY); tidak sebelum 2018-01-01.",
        "Dates: a date cell, or text written 2019-03-05 (YYYY-MM-DD) or 05/03/2019 (DD/MM/YYYY); not before 2018-01-01.",
    ),
    (
        "Daerah: kode Kemendagri (73.71), kode 2018 (sebelum pemekaran Papua), kode tanpa titik (7371), atau nama lengkap (Kota Makassar).",
        "Region: its Kemendagri code (73.71), its 2018 code (before the Papua split), the code without the dot (7371), or its full name (Kota Makassar).",
    ),
    (f"Urusan: satu atau lebih dari {_SECTORS['id']}, dipisah koma.", f"Sectors: one or more of {_SECTORS['en']}, separated by commas."),
    (SUBMISSION_ID.hint["id"] + ".", SUBMISSION_ID.hint["en"] + "."),
    (
        "Sebelum dikirim, setiap baris diperiksa terhadap catatan daerahnya dan hasilnya ditampilkan. Baris dikirim berurutan: "
        f"{_NAMES['id']}; dalam satu lembar dari atas ke bawah.",
        f"Before anything is sent, each row is checked against its region's record and the result shown. Rows are sent in this order: "
        f"{_NAMES['en']}; within a sheet, from top to bottom.",
    ),
    ("Bukti dukung (berkas) tidak termasuk dalam lembar kerja ini.", "Evidence files are not part of this workbook."),
    (f"Paling banyak {MAX_ROWS:,} baris per berkas.".replace(",", "."), f"At most {MAX_ROWS:,} rows per file."),
)
DICTIONARY_HEADER = ("Lembar / Sheet", "Kolom", "Column", "Wajib / Required", "Keterangan", "Description")


def template_xlsx() -> bytes:
    workbook = Workbook()
    instructions = workbook.active
    assert instructions is not None  # a new workbook has one sheet
    _write_instructions(instructions)
    for sheet in SHEETS:
        _write_sheet(workbook.create_sheet(sheet.name["id"]), sheet)
    written = io.BytesIO()
    workbook.save(written)
    return written.getvalue()


def template_csv(delimiter: str = ",") -> bytes:
    """Every kind in one table, the `Jenis` column first, one example row per kind; UTF-8 with a byte-order
    mark, without which Excel reads it in the computer's own encoding. `delimiter=";"` suits an Excel that
    separates lists with semicolons (where the decimal mark is a comma)."""
    written = io.StringIO()
    writer = csv.writer(written, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([column.label["id"] for column in MIXED_COLUMNS])
    for sheet in SHEETS:
        writer.writerow([sheet.name["id"] if column is KIND else shown(sheet.example.get(column.id)) for column in MIXED_COLUMNS])
    return ("\ufeff" + written.getvalue()).encode("utf-8")


def _write_sheet(worksheet: Worksheet, sheet: Sheet) -> None:
    worksheet.append([column.label["id"] for column in sheet.columns])
    worksheet.append([sheet.example.get(column.id) for column in sheet.columns])
    worksheet.freeze_panes = "A2"
    for position, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(position)
        header = worksheet.cell(1, position)
        header.font, header.fill, header.alignment = BOLD, HEADER_FILL, WRAPPED
        header.comment = Comment(f"{column.hint['id']}\n\n{column.hint['en']}", "OGI Tracker", height=160, width=320)
        number_format = NUMBER_FORMATS.get(column.type, TEXT_FORMAT)
        worksheet.column_dimensions[letter].width = column.width
        worksheet.column_dimensions[letter].number_format = number_format  # for the cells an officer adds
        worksheet.cell(2, position).number_format = number_format
        validation = _validation(column)
        if validation is not None:
            worksheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")


def _validation(column: Column) -> DataValidation | None:
    match column.type:
        case CellType.YES_NO:
            message = "Tulis ya atau tidak. Write ya (yes) or tidak (no)."
            return DataValidation("list", formula1='"ya,tidak"', allow_blank=True, errorTitle="ya / tidak", error=message)
        case CellType.SECTORS:
            # Not enforced: a cell may name several sectors, which a list cannot offer.
            validation = DataValidation("list", formula1=f'"{",".join(words["id"] for words in SECTOR_NAMES.values())}"', allow_blank=True)
            validation.showErrorMessage = False
            validation.promptTitle = "Urusan / Sectors"
            validation.prompt = "Pilih satu, atau tulis beberapa dipisah koma. Pick one, or write several separated by commas."
            return validation
        case CellType.WHOLE_NUMBER:
            message = f"Bilangan bulat 1 sampai {MOST_PARTICIPANTS}. A whole number from 1 to {MOST_PARTICIPANTS}."
            return DataValidation("whole", operator="between", formula1="1", formula2=str(MOST_PARTICIPANTS), allow_blank=True, error=message)
        case CellType.DATE:
            message = f"Tanggal sejak {EARLIEST.isoformat()}. A date from {EARLIEST.isoformat()} on."
            earliest = str(int(to_excel(dt.datetime.combine(EARLIEST, dt.time()))))
            return DataValidation("date", operator="greaterThanOrEqual", formula1=earliest, allow_blank=True, errorStyle="warning", error=message)
    return None


def _write_instructions(worksheet: Worksheet) -> None:
    worksheet.title = INSTRUCTIONS["id"]
    worksheet.append(["Laporan kegiatan OGI daerah: petunjuk pengisian"])
    worksheet.append(["OGI local action report: how to fill in this workbook"])
    worksheet["A1"].font = Font(bold=True, size=14)
    worksheet["A2"].font = Font(italic=True)
    worksheet.append([])
    for number, (indonesian, english) in enumerate(STEPS, start=1):
        worksheet.append([f"{number}. {indonesian}"])
        worksheet.append([f"    {english}"])
        worksheet.cell(worksheet.max_row, 1).font = Font(italic=True, color="555555")
    worksheet.append([])
    worksheet.append(DICTIONARY_HEADER)
    for cell in worksheet[worksheet.max_row]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    for sheet in SHEETS:
        for column in sheet.columns:
            required = "ya / yes" if column.required else "tidak / no"
            worksheet.append([sheet.name["id"], column.label["id"], column.label["en"], required, column.hint["id"], column.hint["en"]])
            for cell in worksheet[worksheet.max_row]:
                cell.alignment = WRAPPED
    for letter, width in zip("ABCDEF", (20, 28, 28, 14, 60, 60), strict=True):
        worksheet.column_dimensions[letter].width = width
