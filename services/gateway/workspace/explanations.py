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


def _explained(id_what: str, id_todo: str, en_what: str, en_todo: str) -> Explanation:
    return Explanation(Words(id_what, id_todo), Words(en_what, en_todo))


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

EXPLANATIONS: dict[str, Explanation] = {**{str(code): words for code, words in REJECTIONS.items()}, **REFUSALS}
