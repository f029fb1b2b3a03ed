"""Every message the workspace shows, in plain words: what it means and what to do, in Bahasa Indonesia
(`id`) and English (`en`), by its stable message id.

The ids are the contract's rejection codes (shared/contracts/outcomes.py Code, and contract 1.1's claim codes),
a preview's statuses, an outcome's `accepted` and `duplicate`, and the cell and file errors of reading a
spreadsheet. The forms use the same table, so that one thing is always said the same way.
"""

Explanation = dict[str, str]

_OUTCOMES: dict[str, Explanation] = {
    "ready": {
        "id": "Siap dikirim: baris ini akan diterima bila dikirim sekarang.",
        "en": "Ready: this row would be accepted if sent now.",
    },
    "recorded": {
        "id": "Sudah tercatat: baris yang sama persis sudah pernah dikirim dan diterima. Mengirimnya lagi tidak mencatat apa pun dua kali.",
        "en": "Already recorded: this very row was sent and accepted before. Sending it again records nothing twice.",
    },
    "duplicate_row": {
        "id": "Baris ganda: isinya sama persis dengan baris sebelumnya di berkas ini, jadi hanya dikirim sekali. "
        "Hapus salah satunya, atau bedakan isinya bila memang dua kegiatan.",
        "en": "Repeated row: it is identical to an earlier row of this file, so it is sent once. Delete one, or tell them apart if they are two actions.",
    },
    "not_sent": {"id": "Belum dikirim.", "en": "Not sent yet."},
    "accepted": {"id": "Diterima dan tercatat.", "en": "Accepted and recorded."},
    "duplicate": {
        "id": "Duplikat: pengajuan dengan ID ini sudah pernah dikirim; tidak ada yang dicatat dua kali.",
        "en": "Duplicate: a submission with this ID was sent before; nothing is recorded twice.",
    },
}

_REJECTIONS: dict[str, Explanation] = {
    "malformed": {
        "id": "Isi pengajuan bukan objek JSON yang dapat dibaca. Dari lembar kerja ini hal itu tidak terjadi; bila muncul, hubungi pengelola.",
        "en": "The submission is not a readable JSON object. It cannot come from this workbook; if you see it, tell the operators.",
    },
    "invalid": {
        "id": "Ada sel yang isinya tidak sesuai aturan (lihat kolom yang ditandai). Perbaiki sel tersebut lalu unggah lagi.",
        "en": "Some cells do not follow the rules (see the marked columns). Correct them and upload again.",
    },
    "unknown_region": {
        "id": "Daerah tidak dikenal: tulis kode kabupaten/kota Kemendagri (mis. 73.71), kode 2018, atau nama lengkapnya (mis. Kota Makassar).",
        "en": "Unknown region: write the regency's or city's Kemendagri code (e.g. 73.71), its 2018 code, or its full name (e.g. Kota Makassar).",
    },
    "not_permitted": {
        "id": "Tidak berwenang: hanya Kemendagri dan Kominfo yang mengajukan, dan hanya kementerian penanggung jawab daerah yang dapat menarik "
        "daerahnya. Periksa daerahnya, atau minta kementerian penanggung jawab yang mengirim.",
        "en": "Not permitted: only Kemendagri and Kominfo submit, and only a region's responsible ministry may withdraw it. "
        "Check the region, or ask the responsible ministry to send it.",
    },
    "evidence_missing": {
        "id": "Berkas bukti dukung yang disebut belum diunggah. Unggah berkasnya dulu, lalu kirim lagi.",
        "en": "An evidence file it names has not been uploaded. Upload the file first, then send again.",
    },
    "already_enrolled": {
        "id": "Daerah ini sudah terdaftar, jadi tidak perlu didaftarkan lagi: hapus baris ini.",
        "en": "The region is enrolled already, so there is no need to enrol it again: delete this row.",
    },
    "not_enrolled": {
        "id": "Daerah ini belum (atau tidak lagi) terdaftar. Daftarkan dulu di lembar Pendaftaran (boleh di berkas yang sama), atau periksa kode daerahnya.",
        "en": "The region is not enrolled (or no longer is). Enrol it first on the Enrolment sheet (the same file will do), or check the region code.",
    },
    "plan_exists": {
        "id": "ID rencana ini sudah pernah diajukan untuk daerah ini. Beri rencana yang baru ID lain.",
        "en": "This plan ID was submitted for the region before. Give a new plan another ID.",
    },
    "plan_not_found": {
        "id": "Daerah ini tidak punya rencana aktif dengan ID ini (belum diajukan, atau sudah ditarik). Periksa ID rencananya.",
        "en": "The region has no active plan with this ID (never submitted, or withdrawn already). Check the plan ID.",
    },
    "unprocessable": {
        "id": "Pengajuan tidak dapat diproses karena gangguan di platform. Kirim lagi nanti; bila berulang, hubungi pengelola.",
        "en": "The platform could not process the submission. Send it again later; if it happens again, tell the operators.",
    },
    "claim_not_found": {
        "id": "Tidak ada klaim (pelatihan atau rencana yang diterima) dengan ID peristiwa ini. Periksa ID peristiwanya.",
        "en": "There is no claim (an accepted training or plan) with this event ID. Check the event ID.",
    },
    "claim_state": {
        "id": "Tindakan ini tidak berlaku untuk status klaim saat ini, mis. memverifikasi klaim yang sudah terverifikasi atau mengubah klaim "
        "yang tidak dikembalikan.",
        "en": "This action does not apply to the claim's state now, e.g. verifying a verified claim or amending one that was not returned.",
    },
}

_CELLS: dict[str, Explanation] = {
    "required": {"id": "Wajib diisi.", "en": "Required: fill it in."},
    "date_format": {
        "id": "Bukan tanggal: tulis 2019-03-05 (YYYY-MM-DD) atau 05/03/2019 (DD/MM/YYYY), atau gunakan sel tanggal.",
        "en": "Not a date: write 2019-03-05 (YYYY-MM-DD) or 05/03/2019 (DD/MM/YYYY), or use a date cell.",
    },
    "date_out_of_range": {
        "id": "Tanggal di luar rentang: tidak sebelum 2018-01-01 dan tidak lewat dari besok.",
        "en": "Date out of range: not before 2018-01-01 and not after tomorrow.",
    },
    "not_a_whole_number": {"id": "Bukan bilangan bulat: tulis angka saja, mis. 25.", "en": "Not a whole number: write digits only, e.g. 25."},
    "number_out_of_range": {
        "id": "Angka di luar rentang: jumlah peserta 1 sampai 10000.",
        "en": "Number out of range: participants are 1 to 10000.",
    },
    "not_yes_no": {"id": "Tulis ya atau tidak.", "en": "Write ya (yes) or tidak (no)."},
    "unknown_sector": {
        "id": "Urusan tidak dikenal: pilih dari Pendidikan, Kesehatan, Pekerjaan Umum, Perumahan, Trantibum, Sosial, dipisah koma.",
        "en": "Unknown sector: choose from Pendidikan, Kesehatan, Pekerjaan Umum, Perumahan, Trantibum, Sosial, separated by commas.",
    },
    "sectors_repeated": {
        "id": "Urusan yang sama ditulis dua kali: tulis setiap urusan sekali saja.",
        "en": "A sector is named twice: name each sector once.",
    },
    "bad_identifier": {
        "id": "ID hanya boleh berisi huruf, angka, _ dan -, tanpa spasi, paling banyak 64 karakter.",
        "en": "An ID holds only letters, digits, _ and -, no spaces, at most 64 characters.",
    },
    "bad_sha256": {
        "id": "SHA-256 harus 64 digit heksadesimal (0-9, a-f). Kosongkan bila tidak ada.",
        "en": "A SHA-256 is 64 hexadecimal digits (0-9, a-f). Leave it empty if you have none.",
    },
    "too_long": {
        "id": "Teks terlalu panjang: Catatan dan Alasan paling banyak 1000 karakter, Judul 500, ID sesi 128.",
        "en": "Text too long: Note and Reason take at most 1000 characters, Title 500, Session ID 128.",
    },
    "control_characters": {
        "id": "Teks memuat karakter tak terlihat yang tidak diizinkan (biasanya dari salin-tempel): ketik ulang selnya.",
        "en": "The text holds invisible characters that are not allowed (usually from copy and paste): type the cell again.",
    },
    "not_for_this_kind": {
        "id": "Kolom ini bukan untuk jenis baris ini: kosongkan, atau periksa kolom Jenis.",
        "en": "This column is not for this kind of row: leave it empty, or check the Kind column.",
    },
    "unknown_kind": {
        "id": "Jenis tidak dikenal: tulis nama lembar, yaitu Pendaftaran, Pelatihan, Rencana Aksi, Penarikan Rencana atau Penarikan Daerah.",
        "en": "Unknown kind: write a sheet's name, that is Enrolment, Training, Action plans, Plan withdrawals or Region withdrawals.",
    },
    "submission_id_repeated": {
        "id": "ID pengajuan ini sudah dipakai baris lain dengan isi berbeda: beri setiap baris ID sendiri, atau kosongkan kolomnya.",
        "en": "Another row with different content uses this submission ID already: give each row its own, or leave the column empty.",
    },
    "invalid_value": {"id": "Isi sel tidak sesuai aturan kolom ini.", "en": "The cell does not follow this column's rules."},
}

_FILES: dict[str, Explanation] = {
    "empty_file": {"id": "Berkasnya kosong. Unggah lembar kerja yang sudah diisi.", "en": "The file is empty. Upload the filled-in workbook."},
    "too_large": {
        "id": "Berkas terlalu besar (paling banyak 10 MiB dan 5.000 baris). Bagi menjadi beberapa berkas.",
        "en": "The file is too large (at most 10 MiB and 5,000 rows). Split it into several files.",
    },
    "encrypted": {
        "id": "Berkas dilindungi kata sandi, atau berformat Excel lama (.xls). Simpan sebagai .xlsx tanpa kata sandi.",
        "en": "The file is protected by a password, or in the old Excel format (.xls). Save it as .xlsx without a password.",
    },
    "not_xlsx": {
        "id": "Berkas bukan buku kerja Excel yang dapat dibuka (rusak, atau arsip ZIP lain). Simpan ulang sebagai .xlsx dari templat.",
        "en": "The file is not a workbook Excel can open (damaged, or some other ZIP archive). Save it again as .xlsx from the template.",
    },
    "not_a_spreadsheet": {
        "id": "Berkas bukan .xlsx maupun CSV. Unggah templat yang sudah diisi.",
        "en": "The file is neither an .xlsx nor a CSV. Upload the filled-in template.",
    },
    "too_many_sheets": {
        "id": "Buku kerja memuat terlalu banyak lembar. Gunakan lembar-lembar dari templat.",
        "en": "The workbook has too many sheets. Use the template's sheets.",
    },
    "too_many_rows": {
        "id": "Terlalu banyak baris (paling banyak 5.000 baris berisi). Bagi menjadi beberapa berkas.",
        "en": "Too many rows (at most 5,000 rows with data). Split it into several files.",
    },
    "no_header": {"id": "Baris 1 harus berisi judul kolom seperti di templat.", "en": "Row 1 must hold the column headers, as in the template."},
    "unnamed_column": {
        "id": "Ada isi di kolom tanpa judul. Pindahkan ke kolom yang benar atau hapus.",
        "en": "A column without a header holds values. Move them to the right column or delete them.",
    },
    "unknown_column": {
        "id": "Ada judul kolom yang tidak dikenal. Gunakan judul kolom dari templat tanpa diubah.",
        "en": "A column header is not known. Use the template's headers as they are.",
    },
    "unknown_sheet": {
        "id": "Ada lembar yang tidak dikenal. Gunakan nama lembar dari templat, atau hapus lembar tambahan.",
        "en": "A sheet is not known. Use the template's sheet names, or delete the extra sheet.",
    },
    "repeated_column": {"id": "Satu kolom muncul dua kali. Hapus salah satunya.", "en": "A column appears twice. Delete one of them."},
    "missing_column": {
        "id": "Kolom wajib tidak ada. Kembalikan kolom itu dari templat.",
        "en": "A required column is missing. Bring it back from the template.",
    },
    "no_rows": {"id": "Tidak ada baris berisi di bawah judul kolom.", "en": "There is no row with data below the headers."},
}

EXPLANATIONS: dict[str, Explanation] = _OUTCOMES | _REJECTIONS | _CELLS | _FILES
