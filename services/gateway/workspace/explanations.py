"""What every code an officer can meet means, and what to do about it, in plain Indonesian and English: each
rejection code of an outcome (shared/contracts/outcomes.py `Code`) and each refusal of the gateway's own that
the workspace's forms, uploads and sign-in can meet. The pages show these words (`GET /workspace/api/explanations`);
spreadsheet import reuses them."""

from dataclasses import dataclass

from shared.contracts.outcomes import Code


@dataclass(frozen=True)
class Words:
    what: str
    todo: str


@dataclass(frozen=True)
class Explanation:
    id: Words
    en: Words

    def as_json(self) -> dict:
        return {"id": vars(self.id), "en": vars(self.en)}

    def text(self, language: str) -> str:
        """What it means and what to do, as one line in `language` (`id` or `en`)."""
        words = self.id if language == "id" else self.en
        return f"{words.what} {words.todo}".strip()


def _explained(id_what: str, id_todo: str, en_what: str, en_todo: str) -> Explanation:
    return Explanation(Words(id_what, id_todo), Words(en_what, en_todo))


def _said(id_sentence: str, en_sentence: str) -> Explanation:
    return Explanation(Words(id_sentence, ""), Words(en_sentence, ""))


REJECTIONS: dict[Code, Explanation] = {
    Code.MALFORMED: _explained(
        "Isian tidak terbaca sebagai satu objek JSON.",
        "Kirim ulang dari formulir ini. Jika terus terjadi, hubungi operator.",
        "The submission could not be read as one JSON object.",
        "Send it again from this form. If it keeps happening, contact the operator.",
    ),
    Code.INVALID: _explained(
        "Ada isian yang kosong, salah bentuk, atau tidak dikenal.",
        "Perbaiki isian yang ditandai di bawah kolomnya, lalu kirim lagi.",
        "A field is missing, badly formed or not known.",
        "Correct the fields marked below them, then send again.",
    ),
    Code.UNKNOWN_REGION: _explained(
        "Kode kabupaten/kota tidak dikenal.",
        "Pilih kabupaten/kota dari daftar (ketik nama atau kodenya).",
        "The kabupaten/kota code is not known.",
        "Choose the kabupaten/kota from the list (type its name or code).",
    ),
    Code.NOT_PERMITTED: _explained(
        "Organisasi Anda tidak boleh melakukan ini: hanya kementerian penanggung jawab yang mengirim, "
        "dan hanya penanggung jawab daerah itu yang dapat menarik pendaftarannya.",
        "Periksa kabupaten/kota yang dipilih; jika daerah itu di bawah kementerian lain, kementerian itulah yang mengirim.",
        "Your organisation may not do this: only responsible ministries submit, and only a region's responsible ministry withdraws it.",
        "Check the chosen kabupaten/kota; if another ministry is responsible for it, that ministry submits.",
    ),
    Code.EVIDENCE_MISSING: _explained(
        "Salah satu berkas bukti dukung belum tersimpan.",
        "Unggah lagi berkas yang ditandai, tunggu sampai selesai, lalu kirim lagi.",
        "One of the evidence files is not stored.",
        "Upload the marked file again, wait until it is done, then send again.",
    ),
    Code.ALREADY_ENROLLED: _explained(
        "Kabupaten/kota ini sudah terdaftar.",
        "Tidak perlu didaftarkan lagi: catat pelatihan atau rencana aksinya saja.",
        "This kabupaten/kota is already enrolled.",
        "It need not be enrolled again: record its training or action plan instead.",
    ),
    Code.NOT_ENROLLED: _explained(
        "Kabupaten/kota ini belum terdaftar (atau sudah ditarik).",
        "Daftarkan dulu kabupaten/kota ini (formulir Pendaftaran), lalu kirim lagi.",
        "This kabupaten/kota is not enrolled (or was withdrawn).",
        "Enrol the kabupaten/kota first (the Enrolment form), then send again.",
    ),
    Code.PLAN_EXISTS: _explained(
        "Rencana aksi dengan ID ini sudah ada untuk kabupaten/kota ini.",
        "Gunakan ID rencana yang baru, atau tarik rencana lama lebih dulu.",
        "An action plan with this ID already exists for this kabupaten/kota.",
        "Use a new plan ID, or withdraw the old plan first.",
    ),
    Code.PLAN_NOT_FOUND: _explained(
        "Tidak ada rencana aksi berlaku dengan ID ini di kabupaten/kota ini.",
        "Periksa ID rencana dan kabupaten/kota (lihat Pengajuan saya).",
        "No action plan in force has this ID in this kabupaten/kota.",
        "Check the plan ID and the kabupaten/kota (see My submissions).",
    ),
    Code.CLAIM_NOT_FOUND: _explained(
        "Tidak ada pelatihan atau rencana aksi yang diterima dengan nomor peristiwa itu.",
        "Periksa nomor peristiwa klaim (salin dari halaman klaim), lalu kirim lagi.",
        "No accepted training or plan has that event id.",
        "Check the claim's event id (copy it from the claim's page), then send again.",
    ),
    Code.CLAIM_STATE: _explained(
        "Tindakan ini tidak berlaku untuk keadaan klaim sekarang (misalnya sudah diverifikasi, belum dikembalikan, atau rencananya ditarik).",
        "Muat ulang klaim untuk melihat keadaannya sekarang; tidak ada yang perlu dikirim ulang.",
        "This action does not apply to the claim's state now (for example it is verified already, was not returned, or its plan was withdrawn).",
        "Reload the claim to see its state now; nothing needs to be sent again.",
    ),
    Code.UNPROCESSABLE: _explained(
        "Sistem gagal memproses pengajuan ini karena gangguan di pihak platform.",
        "Hubungi operator dengan ID pengajuan dan ID jejak di bawah.",
        "The platform failed to process this submission, through a fault of its own.",
        "Contact the operator with the submission ID and trace ID below.",
    ),
}

REFUSALS: dict[str, Explanation] = {
    "nats_unavailable": _explained(
        "Sistem tidak menjawab sekarang.",
        "Coba lagi sebentar lagi. Jika terus terjadi, hubungi operator.",
        "The system does not answer now.",
        "Try again in a moment. If it keeps happening, contact the operator.",
    ),
    "no_such_file": _explained(
        "Berkas ini tidak ada, atau tidak untuk organisasi Anda.",
        "Berkas tidak publik hanya dapat dibuka oleh organisasi yang melampirkannya dan oleh sekretariat.",
        "This file does not exist, or is not for your organisation.",
        "A file that is not public opens only for the organisation that attached it and for the secretariat.",
    ),
    "indicators_unavailable": _explained(
        "Daftar klaim tidak dapat dibaca sekarang: layanan indikator tidak menjawab.",
        "Coba lagi sebentar lagi. Jika terus terjadi, hubungi operator.",
        "The claims cannot be read now: the indicators service does not answer.",
        "Try again in a moment. If it keeps happening, contact the operator.",
    ),
    "invalid_parameter": _explained(
        "Permintaan daftar ini tidak dapat dipenuhi.",
        "Muat ulang halaman, lalu coba lagi.",
        "This list cannot be given as asked.",
        "Reload the page, then try again.",
    ),
    "signed_out": _explained(
        "Sesi Anda telah berakhir.",
        "Masuk lagi: isian formulir Anda tetap ada, lalu kirim lagi.",
        "Your session has ended.",
        "Sign in again: what you typed stays, then send again.",
    ),
    "csrf": _explained(
        "Permintaan ini tidak membawa tanda keamanan sesi.",
        "Muat ulang halaman, lalu coba lagi.",
        "The request lacks the session's security token.",
        "Reload the page, then try again.",
    ),
    "sign_in_failed": _explained(
        "Alamat e-mail atau kata sandi salah.",
        "Periksa keduanya dan coba lagi. Setelah beberapa kali salah, akun dikunci sementara.",
        "Wrong e-mail address or password.",
        "Check both and try again. After several wrong tries the account is locked for a while.",
    ),
    "locked": _explained(
        "Akun dikunci sementara karena terlalu banyak kata sandi salah.",
        "Tunggu sampai waktu yang disebut, atau minta operator membuat kode masuk baru.",
        "The account is locked for a while after too many wrong passwords.",
        "Wait until the time given, or ask the operator for a new sign-in code.",
    ),
    "throttled": _explained(
        "Terlalu banyak percobaan gagal dari alamat ini.",
        "Tunggu satu menit, lalu coba lagi.",
        "Too many failed attempts from this address.",
        "Wait a minute, then try again.",
    ),
    "invalid_code": _explained(
        "Kode masuk tidak berlaku (sudah dipakai, kedaluwarsa, atau salah ketik).",
        "Minta operator membuat kode baru (ogi user reset).",
        "The sign-in code is not valid (used, expired or mistyped).",
        "Ask the operator for a new code (ogi user reset).",
    ),
    "weak_password": _explained(
        "Kata sandi terlalu pendek atau terlalu panjang.",
        "Pilih kata sandi yang lebih panjang, misalnya beberapa kata.",
        "The password is too short or too long.",
        "Choose a longer password, a few words for example.",
    ),
    "too_large": _explained(
        "Berkas atau isian terlalu besar (berkas paling besar 10 MiB).",
        "Perkecil berkas (misalnya pindai dengan resolusi lebih rendah) atau bagi menjadi beberapa berkas.",
        "The file or form is too large (a file is at most 10 MiB).",
        "Make the file smaller (scan at a lower resolution, for example) or split it into several files.",
    ),
    "unsupported_media_type": _explained(
        "Jenis berkas ini tidak diterima.",
        "Unggah PDF, JPEG, PNG, XLSX, DOCX, atau CSV.",
        "This type of file is not accepted.",
        "Upload a PDF, JPEG, PNG, XLSX, DOCX or CSV.",
    ),
    "media_type_mismatch": _explained(
        "Isi berkas tidak sesuai dengan jenisnya (misalnya berkas berakhiran .pdf yang bukan PDF).",
        "Simpan ulang berkas dalam jenis yang benar, lalu unggah lagi.",
        "The file's content does not match its type (a file ending in .pdf that is not a PDF, for example).",
        "Save the file again in the right type, then upload it again.",
    ),
    "empty": _explained(
        "Berkas ini kosong.",
        "Pilih berkas yang berisi.",
        "The file is empty.",
        "Choose a file with content.",
    ),
    "not_stored": _explained(
        "Sistem belum dapat menyimpan kiriman ini.",
        "Kirim lagi beberapa saat lagi; kiriman yang sama tidak akan tercatat dua kali.",
        "The system could not store this yet.",
        "Send it again in a little while; the same submission is never recorded twice.",
    ),
    "busy": _explained(
        "Sistem sedang sibuk menerima banyak berkas.",
        "Coba lagi beberapa detik lagi.",
        "The system is busy receiving many files.",
        "Try again in a few seconds.",
    ),
    "rate_limited": _explained(
        "Terlalu banyak kiriman dalam waktu singkat.",
        "Tunggu sebentar, lalu kirim lagi.",
        "Too many requests in a short time.",
        "Wait a moment, then send again.",
    ),
    "no_outcome": _explained(
        "Hasil pengajuan ini belum ada.",
        "Tunggu sebentar; hasilnya akan muncul di Pengajuan saya.",
        "This submission has no outcome yet.",
        "Wait a moment; it will appear under My submissions.",
    ),
    "unknown_kind": _explained(
        "Jenis pengajuan tidak dikenal.",
        "Gunakan salah satu formulir di halaman ini.",
        "The kind of submission is not known.",
        "Use one of the forms on this page.",
    ),
    "network": _explained(
        "Tidak ada jawaban dari server (jaringan terputus?).",
        "Periksa sambungan, lalu kirim lagi: kiriman yang sama tidak akan tercatat dua kali.",
        "No answer from the server (is the network down?).",
        "Check the connection, then send again: the same submission is never recorded twice.",
    ),
}

# A spreadsheet's rows and cells (sheets.py, preview.py): one sentence each, what it means and what to do at once.
SPREADSHEET: dict[str, Explanation] = {
    "ready": _said(
        "Siap dikirim: baris ini akan diterima bila dikirim sekarang.",
        "Ready: this row would be accepted if sent now.",
    ),
    "recorded": _said(
        "Sudah tercatat: baris yang sama persis sudah pernah dikirim dan diterima. Mengirimnya lagi tidak mencatat apa pun dua kali.",
        "Already recorded: this very row was sent and accepted before. Sending it again records nothing twice.",
    ),
    "duplicate_row": _said(
        "Baris ganda: isinya sama persis dengan baris sebelumnya di berkas ini, jadi hanya dikirim sekali. "
        "Hapus salah satunya, atau bedakan isinya bila memang dua kegiatan.",
        "Repeated row: it is identical to an earlier row of this file, so it is sent once. Delete one, or tell them apart if they are two actions.",
    ),
    "sent_before": _said(
        "Sudah pernah dikirim dan ditolak: baris yang sama persis tidak dikirim lagi. Perbaiki barisnya, lalu unggah lagi: isi yang "
        "berubah menjadi pengajuan baru (bila kolom ID pengajuan diisi, beri ID baru).",
        "Sent before and rejected: this very row is not sent again. Correct the row, then upload again: changed content is a new "
        "submission (when the row has its own submission ID, give it a new one).",
    ),
    "not_sent": _said(
        "Belum dikirim.",
        "Not sent yet.",
    ),
    "accepted": _said(
        "Diterima dan tercatat.",
        "Accepted and recorded.",
    ),
    "duplicate": _said(
        "Duplikat: pengajuan dengan ID ini sudah pernah dikirim; tidak ada yang dicatat dua kali.",
        "Duplicate: a submission with this ID was sent before; nothing is recorded twice.",
    ),
    "required": _said(
        "Wajib diisi.",
        "Required: fill it in.",
    ),
    "date_format": _said(
        "Bukan tanggal: tulis 2019-03-05 (YYYY-MM-DD) atau 05/03/2019 (DD/MM/YYYY), atau gunakan sel tanggal.",
        "Not a date: write 2019-03-05 (YYYY-MM-DD) or 05/03/2019 (DD/MM/YYYY), or use a date cell.",
    ),
    "date_out_of_range": _said(
        "Tanggal di luar rentang: tidak sebelum 2018-01-01 dan tidak lewat dari besok.",
        "Date out of range: not before 2018-01-01 and not after tomorrow.",
    ),
    "not_a_whole_number": _said(
        "Bukan bilangan bulat: tulis angka saja, mis. 25.",
        "Not a whole number: write digits only, e.g. 25.",
    ),
    "number_out_of_range": _said(
        "Angka di luar rentang: jumlah peserta 1 sampai 10000.",
        "Number out of range: participants are 1 to 10000.",
    ),
    "not_yes_no": _said(
        "Tulis ya atau tidak.",
        "Write ya (yes) or tidak (no).",
    ),
    "unknown_sector": _said(
        "Urusan tidak dikenal: pilih dari Pendidikan, Kesehatan, Pekerjaan Umum, Perumahan, Trantibum, Sosial, dipisah koma.",
        "Unknown sector: choose from Pendidikan, Kesehatan, Pekerjaan Umum, Perumahan, Trantibum, Sosial, separated by commas.",
    ),
    "sectors_repeated": _said(
        "Urusan yang sama ditulis dua kali: tulis setiap urusan sekali saja.",
        "A sector is named twice: name each sector once.",
    ),
    "bad_identifier": _said(
        "ID hanya boleh berisi huruf, angka, _ dan -, tanpa spasi, paling banyak 64 karakter.",
        "An ID holds only letters, digits, _ and -, no spaces, at most 64 characters.",
    ),
    "bad_sha256": _said(
        "SHA-256 harus 64 digit heksadesimal (0-9, a-f). Kosongkan bila tidak ada.",
        "A SHA-256 is 64 hexadecimal digits (0-9, a-f). Leave it empty if you have none.",
    ),
    "too_long": _said(
        "Teks terlalu panjang: Catatan dan Alasan paling banyak 1000 karakter, Judul 500, ID sesi 128.",
        "Text too long: Note and Reason take at most 1000 characters, Title 500, Session ID 128.",
    ),
    "control_characters": _said(
        "Teks memuat karakter tak terlihat yang tidak diizinkan (biasanya dari salin-tempel): ketik ulang selnya.",
        "The text holds invisible characters that are not allowed (usually from copy and paste): type the cell again.",
    ),
    "not_for_this_kind": _said(
        "Kolom ini bukan untuk jenis baris ini: kosongkan, atau periksa kolom Jenis.",
        "This column is not for this kind of row: leave it empty, or check the Kind column.",
    ),
    "submission_id_repeated": _said(
        "ID pengajuan ini sudah dipakai baris lain dengan isi berbeda: beri setiap baris ID sendiri, atau kosongkan kolomnya.",
        "Another row with different content uses this submission ID already: give each row its own, or leave the column empty.",
    ),
    "invalid_value": _said(
        "Isi sel tidak sesuai aturan kolom ini.",
        "The cell does not follow this column's rules.",
    ),
    "empty_file": _said(
        "Berkasnya kosong. Unggah lembar kerja yang sudah diisi.",
        "The file is empty. Upload the filled-in workbook.",
    ),
    "encrypted": _said(
        "Berkas dilindungi kata sandi, atau berformat Excel lama (.xls). Simpan sebagai .xlsx tanpa kata sandi.",
        "The file is protected by a password, or in the old Excel format (.xls). Save it as .xlsx without a password.",
    ),
    "not_xlsx": _said(
        "Berkas bukan buku kerja Excel yang dapat dibuka (rusak, atau arsip ZIP lain). Simpan ulang sebagai .xlsx dari templat.",
        "The file is not a workbook Excel can open (damaged, or some other ZIP archive). Save it again as .xlsx from the template.",
    ),
    "not_a_spreadsheet": _said(
        "Berkas bukan .xlsx maupun CSV. Unggah templat yang sudah diisi.",
        "The file is neither an .xlsx nor a CSV. Upload the filled-in template.",
    ),
    "too_many_sheets": _said(
        "Buku kerja memuat terlalu banyak lembar. Gunakan lembar-lembar dari templat.",
        "The workbook has too many sheets. Use the template's sheets.",
    ),
    "too_many_rows": _said(
        "Terlalu banyak baris (paling banyak 5.000 baris berisi). Bagi menjadi beberapa berkas.",
        "Too many rows (at most 5,000 rows with data). Split it into several files.",
    ),
    "no_header": _said(
        "Baris 1 harus berisi judul kolom seperti di templat.",
        "Row 1 must hold the column headers, as in the template.",
    ),
    "unnamed_column": _said(
        "Ada isi di kolom tanpa judul. Pindahkan ke kolom yang benar atau hapus.",
        "A column without a header holds values. Move them to the right column or delete them.",
    ),
    "unknown_column": _said(
        "Ada judul kolom yang tidak dikenal. Gunakan judul kolom dari templat tanpa diubah.",
        "A column header is not known. Use the template's headers as they are.",
    ),
    "unknown_sheet": _said(
        "Ada lembar yang tidak dikenal. Gunakan nama lembar dari templat, atau hapus lembar tambahan.",
        "A sheet is not known. Use the template's sheet names, or delete the extra sheet.",
    ),
    "repeated_column": _said(
        "Satu kolom muncul dua kali. Hapus salah satunya.",
        "A column appears twice. Delete one of them.",
    ),
    "missing_column": _said(
        "Kolom wajib tidak ada. Kembalikan kolom itu dari templat.",
        "A required column is missing. Bring it back from the template.",
    ),
    "no_rows": _said(
        "Tidak ada baris berisi di bawah judul kolom.",
        "There is no row with data below the headers.",
    ),
}

EXPLANATIONS: dict[str, Explanation] = {**{str(code): words for code, words in REJECTIONS.items()}, **REFUSALS, **SPREADSHEET}
