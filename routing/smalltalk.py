"""Messages that are not complaints: a salam, a hello, "mau lapor" with nothing said yet, thanks,
a test, a question about Lapor or office hours, spam, a joke.

The dialog answers each kind in its own way (Wa'alaikumsalam for a salam, "masalah apa?" for an
opener), so the router names them instead of sending them to triage. A message is small talk
only when every word of it is accounted for by small-talk vocabulary, or when it has the shape
of a question, a promotion or a joke and no sign of a problem: "selamat pagi, lampu jalan di
gang 3 mati" has words no greeting explains, so it is a complaint. Some shapes hold a problem
and still ask nothing of an agency: a thanks that tells its fix, a report withdrawn, a chain
forwarded, an errand or a message meant for someone else, a question about one's own report.
What counts as a complaint at all is the labelling policy in `tests/routing/README.md`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Final

from routing import lexicon
from routing.normalize import BOUNDARY, expand, read_as, split

SALAM: Final = "salam"
GREETING: Final = "greeting"
OPENER: Final = "opener"
THANKS: Final = "thanks"
FAREWELL: Final = "farewell"
TEST: Final = "test"
QUESTION: Final = "question"
SPAM: Final = "spam"
OTHER: Final = "other"
TAGS: Final = (SALAM, GREETING, OPENER, THANKS, FAREWELL, TEST, QUESTION, SPAM, OTHER)


def _phrases(text: str) -> list[tuple[str, ...]]:
    return [tuple(line.split()) for line in text.split(",") if line.split()]


class _PhraseSet:
    """Phrases looked up by their first word: a message is read once, not once per phrase
    (the router asks this of every message it routes)."""

    __slots__ = ("by_first", "firsts")

    def __init__(self, text: str | list[tuple[str, ...]]) -> None:
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in _phrases(text) if isinstance(text, str) else text:
            self.by_first.setdefault(phrase[0], []).append(phrase)
        self.firsts = frozenset(self.by_first)  # most messages hold none: one look in C

    def spans(self, words: Sequence[str]) -> Iterator[tuple[int, int]]:
        if self.firsts.isdisjoint(words):
            return
        for at, word in enumerate(words):
            for phrase in self.by_first.get(word, ()):
                if tuple(words[at : at + len(phrase)]) == phrase:
                    yield at, at + len(phrase)

    def found_in(self, words: Sequence[str]) -> bool:
        return not self.firsts.isdisjoint(words) and next(self.spans(words), None) is not None


# Phrases that fully account for the words they cover, by tag; written folded (lower case, no
# apostrophes), as `normalize.split` gives them.
_VOCABULARY: Final[dict[str, list[tuple[str, ...]]]] = {
    SALAM: _phrases("""
        assalamualaikum, asalamualaikum, assalamualaikom, assalamu alaikum, asalamu alaikum,
        assalam, assalamu, alaikum, salamualaikum, salamu alaikum, asslm, aslm, asw, askm, aslkm,
        asslmkm, aslmkm, slmkm, samlekom, samlekum, mikum, mekum, ass wr wb, ass, wr wb, wr, wb,
        warahmatullahi, warahmatullah, warohmatullahi, wabarakatuh, wabarokatuh, wassalamualaikum,
        wassalam, waalaikumsalam, walaikumsalam
    """),
    GREETING: _phrases("""
        halo, hallo, helo, hello, hai, hay, hi, hei, hey, hy, hola, selamat pagi, selamat siang,
        selamat sore, selamat malam, slmt pagi, slmt siang, slmt sore, slmt malam, met pagi,
        met siang, met sore, met malam, met malem, selamat malem, pagi, siang, sore, malam,
        permisi, misi, punten,
        sugeng enjing, sugeng siang, sugeng sonten, sugeng dalu, sugeng, kulonuwun, kulanuwun,
        nuwun sewu, ngapunten, good morning, good afternoon, good evening, morning, salam,
        salam sejahtera, om swastiastu, shalom, apa kabar, gimana kabarnya, piye kabare,
        pripun kabare, how are you, mohon maaf lahir batin, minal aidin wal faizin, minal aidin,
        turut berduka cita, turut berduka, mohon doanya
    """),
    OPENER: _phrases("""
        mau lapor, mau melapor, ingin lapor, ingin melapor, mau laporan, mau buat laporan,
        mau bikin laporan, mau melaporkan, ingin melaporkan, mau mengadu, mau ngadu,
        mau komplain, mau complain, mau komplen, mau menyampaikan, ingin menyampaikan,
        izin menyampaikan, ijin menyampaikan, mau tanya, mau bertanya, ingin bertanya,
        izin bertanya, ijin bertanya, izin tanya, ijin tanya, boleh tanya, numpang tanya,
        tanya dong, mau nanya, badhe lapor, ajeng lapor, arep lapor, badhe matur,
        nyuwun pirsa, badhe nyuwun pirsa, ada masalah, ada problem, ada kendala, ada keluhan,
        ada aduan, ada laporan, ada yang mau dilaporkan, ada yang mau saya laporkan,
        ada yang mau saya sampaikan, ada yang ingin saya sampaikan, bisa bantu, bisa dibantu,
        mohon bantuan, minta bantuan, butuh bantuan, minta tolong, tolong, tolong dibantu,
        mohon bantuannya, minta bantuannya, mohon dibantu, mohon, mohon info, minta info,
        pengen lapor, pengen melapor, pengen ngadu, pengen mengadu, pengin lapor, pengin ngadu,
        arep ngadu, ngadu, mengadu,
        help, lapor, laporan, aduan, pengaduan, keluhan, komplain, sesuatu, mau, ingin
    """),
    THANKS: _phrases("""
        terima kasih, terimakasih, trima kasih, terima kasi, makasih, makasi, mksh, mks, maksih,
        trims, trimakasih, tengkyu, berterima kasih, berterimakasih, thanks, thank you,
        thankyou, thx, tks, thks, tq, ty, matur nuwun,
        maturnuwun, matur suwun, suwun, nuwun, hatur nuhun, nuhun, suwun sanget, panuwun,
        agenging panuwun, agunging panuwun, ngaturaken panuwun,
        nuwun sanget, ok, oke, okay, okey, okelah, sip, siap, noted, baik, mantap, mantab,
        keren, top, luar biasa, good job, cepat tanggap, gercep, alhamdulillah, jazakallah,
        kalian hebat
    """),
    FAREWELL: _phrases("""
        dadah, bye, bye bye, byebye, sampai jumpa, sampai ketemu, see you, selamat tinggal,
        pamit, pamit dulu, good night, selamat istirahat, met bobo, wassalam, wassalamualaikum,
        tidur dulu, bobo dulu, bobok dulu, istirahat dulu, turu sik, turu disik, turu dhisik,
        turu dulu, sudah dulu, udah dulu, segitu dulu, wis yo, wis sik
    """),
    TEST: _phrases("""
        tes, test, testing, tst, p, ping, cek, check, coba, tes tes, test test, uji coba, cek cek,
        ngecek, ngetes, ngetest, nyoba, nyobain, coba coba, uji
    """),
}

# Words that add nothing either way: addresses, particles, pronouns.
_FILLERS: Final = frozenset(
    """
    ya yaa yah y iya iyo yo nggih njih nggeh geh inggih nih ni dong deh sih si kok lah kah toh
    to kan saya aku sy kulo kula gue gw ane kami kita ini itu niki niku iki kuwi apa yang ada
    sudah udah belum blm wis sampun dulu sebentar bentar sebelumnya dan atau juga aja saja di ke
    dengan
    dgn sama untuk buat nya admin min mimin pak bapak bu ibu kak kakak mas mbak mba dik adik om
    tante gan agan sis bro bos boss lur dulur sedulur rek cak ning ndan komandan pakde bude
    tim petugas semua sekalian all everyone numpang izin ijin monggo yth kepada kpd banyak
    sekali sanget banget bgt ngih nah lho loh wah wow eh hmm hm oh ooh ah atas bantuannya cuma
    bantuan bantu dibantu membantu responnya respon informasinya infonya penjelasannya
    waktunya jawabannya
    lapor kediri kota pemkot sedaya sedoyo sami semuanya
    """.split()
)
_ADDRESSES: Final = frozenset(
    "admin min mimin pak bapak bu ibu kak kakak mas mbak mba gan sis bro bos lur rek ndan".split()
)

# Signs of a problem: a message with one of them is never a question, a joke or spam.
_PROBLEM_CUES: Final = frozenset(
    """
    rusak mati padam bocor hilang macet mampet mampat banjir genangan tidak belum susah sulit
    lambat telat terlambat kecewa parah bahaya berbahaya kotor bau berisik resah meresahkan
    kesal jengkel marah pecah roboh tumbang ambruk jatuh sakit korban tipu ditipu penipuan
    mengeluhkan keluhkan protes rugi dirugikan antri antre pungli mahal langka kosong kering
    keruh gelap rawan takut ancam mengancam teror diteror tagih menagih nagih ganggu mengganggu
    terganggu lubang berlubang sampah kebakaran api ular pohon listrik air jalan lampu
    tolong ditindak tindak tertibkan razia tangkap kenapa mengapa napa
    pending ditolak tolak gagal error eror bolak padahal
    """.split()
)

_QUESTION_NEGATIONS: Final = frozenset(
    "gak ga nggak ngga enggak tidak tdk ndak nda ora mboten".split()
)
_QUESTION_WORDS: Final = frozenset(
    """
    apa apakah kapan berapa bagaimana gimana gmn gmana piye pripun kah dimana mana siapa
    bisakah bolehkah boleh bisa what when how where who ngendi endi pundi
    """.split()
)
_YES_OR_NO: Final = frozenset("bisa boleh ada apa sudah udah wis".split())
_OPENS: Final = frozenset("buka bukak bikak tutup libur prei masuk open".split())
# "lapor di sini bayar nggak?", "gratis ora?": whether something costs, asked.
_COSTS: Final = frozenset("bayar mbayar membayar berbayar gratis biaya dipungut ditarik".split())
# A question about one's own report, not a new one ("laporan saya kemarin gimana min?"): its
# status, which the dialog gives.
_FOLLOW_UP: Final = _PhraseSet("""
    laporan saya, laporanku, laporan ku, laporan kami, laporan kemarin, laporan kemaren,
    laporan minggu lalu, laporan tadi, laporan kulo, laporan kula, laporan wingi, aduan saya,
    pengaduan saya, tiket saya, laporan yang saya, laporan yg saya, yang saya laporkan,
    yg saya laporkan, nomor tiket, nomer tiket, no tiket, tiket nomor, tiket no, nomor tiketnya,
    aduan kula, aduan kulo, laporan aku, aduan aku, aduanku, laporan no, laporan nomor,
    yg aku kirim, yang aku kirim, laporan sy, my report, my complaint, my ticket, our report
""")
# One's own report by its reference ("LPR-22914", "KDR-26-000123", "#45190"), or "laporan"
# with a few words before whose it is ("laporan PDAM saya").
_TICKET_REF: Final = re.compile(r"\b[A-Za-z]{2,6}-\d{2,}(?:-\d+)?\b|#\d{4,}")
_WORSE: Final = frozenset("makin semakin tambah bertambah nambah soyo".split())  # getting worse
_ASKS_ABOUT: Final = frozenset("tanya nanya menanyakan tanyain takon nakon ask asking".split())
_OWNERS: Final = frozenset("saya sy aku kula kulo kami".split())
OWNER_WITHIN: Final = 3
# Or a report told as past ("kemaren aku lapor soal saluran"), with a word that asks where it
# stands: a past report with a question only ("sudah lapor kok belum diperbaiki?") may be a new
# one about a problem still there.
_REPORTED: Final = _PhraseSet("""
    sudah lapor, udah lapor, wis lapor, sampun lapor, kemarin lapor, kemaren lapor,
    kemarin saya lapor, kemaren aku lapor, kemarin aku lapor, kemaren saya lapor, pernah lapor,
    sudah saya laporkan, udah saya laporin, yang saya kirim, yg saya kirim, yang aku kirim
""")
# Whom a resident may have told before, not Lapor ("sudah lapor ke RT", "lapor mandor").
_SOMEONE_TOLD: Final = frozenset(
    "mandor rt rw lurah kelurahan polisi polsek satpam pengelola pemilik juragan bos camat"
    " kecamatan kades kepsek kepala guru wali ketua pengurus pak bu".split()
)
_REPORT_ENDS: Final = read_as(
    phrase[-1] for phrases in _REPORTED.by_first.values() for phrase in phrases
)
_STATUS_ASKED: Final = frozenset(
    """
    kabar kabarnya balasan dibalas perkembangan perkembangannya progres progress
    diproses diterusin diteruskan dialihkan ditanggapi direspon dibaca dipunwaos antri antrian
    status statusnya tindaklanjut ditindaklanjuti ditangani ditindak balesan dibales digarap
    mastiin memastikan diverifikasi tanggapan tanggapannya diterima notif update updates
    """.split()
)
# Lapor's own tools: a message about them is a report on them (DISKOMINFO), whatever report
# of one's own it names ("halaman lacak laporan gak bisa dibuka, laporan saya sampai mana").
_TOOLS: Final = frozenset("aplikasi halaman portal web website situs error eror bot botnya".split())
# Longer, it tells of more than the status it asks for; so does a later clause with a problem
# in it ("laporan saya kok belum ditangani? sekarang rumah tetangga kebanjiran").
FOLLOW_UP_MAX_WORDS: Final = 32
_PARTICLES: Final = frozenset("ya yaa yah sih dong kah nih min pak bu kak mas mbak gan".split())
# "Sudah" this close before the fix in news of one ("udh nyala", "sudah mengalir lagi").
DONE_WITHIN: Final = 2
# What makes a fix an expectation, not news ("padahal tetangga sudah cair").
_EXPECTED: Final = frozenset("padahal pdhl mestine harusnya seharusnya".split())
# What may follow the fix in news of one ("udah nyala lagi kok", "udh nyala, aman").
_FIX_CLOSERS: Final = (
    _PARTICLES | _ADDRESSES | frozenset("lagi lg maning kok aman alhamdulillah nggih njih".split())
)
_ANYTHING: Final = re.compile(r"\b(\w+)[- ]\1\W*$")  # "apa-apa", "siapa siapa" ends it
_ASKING: Final = frozenset("berapa kapan apakah bagaimana gimana pripun piye".split())
CHAT_QUESTION_MAX_WORDS: Final = 7  # words small talk does not explain in a chatty question
# A question about hours or a contact that names a service's problem is only that when short:
# "jam buka capil hari sabtu?" asks; a story of a refused immunisation that ends "harus ke
# mana?" reports.
ASKING_MAX_WORDS: Final = 26
HOURS_NEAR: Final = 2  # how far apart "jam" and "pelayanan" may be in a question about hours
# "minta kontak pdam", "bagi nomor wa dinsos dong": asking for a way to reach an office.
_REQUESTS: Final = frozenset("minta mohon bagi share kasih kirim info informasi".split())
# A question about office hours: one word of each group.
_HOURS_FIRST: Final = frozenset("jam buka hari libur tutup office opening open".split())
_HOURS_SECOND: Final = frozenset(
    """
    buka tutup pelayanan layanan kerja operasional kantor istirahat sabtu minggu libur besok
    hours tanggal lebaran natal nasional cuti praktek praktik prakteknya istirahatnya
    open closed holiday holidays weekend saturday sunday
    """.split()
)
# "Buka salon", "buka usaha laundry": opening a business (a licence asked about), not hours.
_BUSINESSES: Final = frozenset(
    """
    usaha salon warung toko kos kosan laundry gudang cafe kafe bengkel kedai praktik praktek
    klinik cabang lapak restoran resto rumah katering catering konter
    """.split()
)
_SHUT: Final = _BUSINESSES | frozenset("pabrik perusahaan kantornya usahanya".split())
# A question about where to reach an office: its address, number, e-mail ("alamat kantor dinas
# sosial di mana?", "nomor telepon dishub berapa?"); the stems of such words.
_CONTACT: Final = (
    "alamat", "lokasi", "letak", "nomor", "nomer", "telepon", "telpon", "telp", "kontak",
    "contact", "email", "hotline", "whatsapp", "address", "phone", "kantornya",
)  # fmt: skip
# "nomor pelanggan", "nomor induk berusaha": a number a service gives, no way to reach it.
_SERVICE_NUMBERS: Final = frozenset(
    "pelanggan objek induk rekening antrian antrean kk ktp nik meter meteran sambungan"
    " registrasi pendaftaran tiket".split()
)
# "Kantor satpol pp itu di mana": where an office is ("di kantor mana" asks which office
# serves a request).
_WHERE: Final = frozenset("mana dimana ngendi endi pundi where".split())
WHERE_WITHIN: Final = 5  # "kantor satpol pp itu deket mana"
# Whether the reporter stays unknown: "nama saya dirahasiakan nggak kalau lapor?".
_PRIVACY: Final = frozenset(
    "anonim anonymous rahasia dirahasiakan dirahasiain identitas ketahuan".split()
)
_REPORTING: Final = frozenset("lapor melapor laporan ngadu mengadu pelapor aduan".split())
_STREET_PREFIXES: Final = frozenset("jl jln".split())
# A question about Lapor itself: what it is, how to use it, whether it is official or free.
_ABOUT_LAPOR: Final = frozenset(
    """
    bot robot chatbot lapor laporan layanan aplikasi nomor akun resmi anonim rahasia identitas
    dirahasiakan status tiket dibaca ditanggapi dibalas diproses bot ini ngadu mengadu
    """.split()
)
# "Sudah diperbaiki" after a thanks is news that a problem is gone, unless something still is.
_RESOLVED: Final = frozenset(
    """
    diperbaiki perbaiki ditangani beres selesai bersih diangkut menyala nyala normal lancar
    mengalir ditambal dipangkas dikerjakan ditindaklanjuti direspon dibersihkan diaspal
    terang dipotong diganti terbit ditertibkan disingkirkan dievakuasi dicat bisa dipasang
    diisi terisi kembali dibuka cair diambil dilakukan dijupuk ngalir murub urup dikeruk
    ditangkap dijemput diterima patched repaired fixed cleaned collected restored removed
    diresiki dipundandosi didandani dibenerin dibenahi ketutup dipindah nampi angsal mili
    padhang evacuated handled replaced working
    """.split()
)
_CONTRAST: Final = frozenset(
    "tapi tetapi namun masih belum tidak kok cuma hanya lagi mohon tolong segera minta"
    " harap but still not".split()
)
RESOLVED_MAX_WORDS: Final = 20
AGAIN_AFTER_FIX: Final = 3  # "lagi" this close after a fix word ("ngalir deres lagi") is the fix
# An announcement invites to its event, or tells what to bring ("Bawa KTP dan KK.").
_INVITES: Final = _PhraseSet("""
    monggo, mangga, mohon hadir, diharapkan hadir, dimohon hadir, wajib hadir, jangan lupa
    datang, jangan lupa hadir, yuk datang, ayo datang, silakan datang, terbuka untuk umum
""")
_BRING: Final = frozenset("bawa membawa gowo nggowo".split())
_ANNOUNCED: Final = frozenset("pengumuman info informasi undangan pengingat reminder".split())
_DAYS: Final = frozenset(
    "senin selasa rabu kamis jumat sabtu minggu ahad besok lusa tanggal tgl".split()
)
# An event on a day, held ("mengadakan arisan Kamis siang") or opened as news ("Info dari
# takmir: pengajian akbar Minggu malam"), is announced; "mohon diadakan kerja bakti" asks.
_EVENTS: Final = _PhraseSet("""
    pengajian, arisan, halal bihalal, halalbihalal, kerja bakti, senam, jalan sehat, lomba,
    tahlilan, yasinan, khataman, sholawatan, selawatan, pawai, karnaval, bazar, pasar murah,
    rapat warga, pertemuan warga, sosialisasi, penyuluhan, donor darah, posyandu, pelatihan,
    festival, gebyar, tasyakuran, syukuran, lomba agustusan, pengobatan gratis, kirab
""")
_HELD: Final = frozenset(
    "mengadakan diadakan menggelar digelar dilaksanakan melaksanakan dibuka buka".split()
)
# "Diberitahukan kepada warga ...": a notice, which need not invite anyone to be one.
_NOTICES: Final = frozenset("diberitahukan pemberitahuan diumumkan mengumumkan".split())
# A thanks this close to the end, beside an office's name, is addressed to it ("thx dishub").
OFFICE_THANKS_WITHIN: Final = 4
# News of a fix with no thanks is trusted only when short: a longer one tells a story.
FIX_NEWS_MAX_WORDS: Final = 12
# A thanks that tells the story of a fix may run long, so long as it asks nothing.
THANKS_STORY_MAX_WORDS: Final = 60
_ASKS: Final = lexicon.REQUESTS | frozenset("tulung harap segera".split())
_COURTEOUS_AFTER: Final = frozenset(
    "maaf izin ijin sewu pangapunten tanya pirsa priksa".split()
)  # "mohon maaf"
# "Not" that tells of no trouble: "tidak perlu ditindaklanjuti", "tidak ada korban".
_NOTHING_NEEDED: Final = frozenset("perlu usah ada wonten prelu".split())
_NEGATIONS: Final = frozenset("tidak mboten boten ora".split())
# A "not" this close after a purpose word is what the writer means to avoid ("biar saya nggak").
_PURPOSES: Final = frozenset("biar supaya agar ben men amrih".split())
PURPOSE_WITHIN: Final = 2
# Before a fix word, what says it is not done: "gak nyala", "belum diperbaiki", "mugi saged
# dipun dandosi" (hoped for).
_NOT_DONE: Final = frozenset("tidak mboten boten ora belum durung saged iso dapat akan".split())
_WEAK_FIXES: Final = frozenset("bisa kembali diterima dibuka cair terbit nampi angsal".split())
_NOW_WORDS: Final = frozenset("sekarang saiki sakmenika now masih still".split())
NOW_WITHIN: Final = 3  # words after "sekarang" that may tell what is wrong now
_STORY_TURNS: Final = frozenset(
    "tapi tetapi namun ananging nanging but however masih belum".split()
)
# "Cuma mau bilang makasih", "mung arep ngucapke suwun": only a thanks; "cuma tempat sampahnya
# luber" is a "but".
_ONLY: Final = frozenset("cuma hanya mung namung".split())
NO_LONGER_WITHIN: Final = 3  # words between "nggak" and "lagi" in "nggak mampet lagi"
# That the fix is done: "sudah", or English "has been patched", "working again".
_DONE: Final = frozenset("sudah been again now was were got".split())
# An advert without a link is short and dense with promotion words ("gacor hari ini, depo 10rb
# langsung main"): at most this many words for each one.
SPAM_WORDS_PER_MARKER: Final = 15
# Praise after a thanks ("taman kota sekarang bagus", "petugasnya sregep", "fixing it so
# quickly") is no report, unless a sign of trouble follows; topic words alone are not trouble.
_HURRY: Final = frozenset("cepat cepet cepetan segera gek quickly".split())
_PRAISE: Final = frozenset(
    """
    bagus indah rapi asri nyaman sregep rajin sigap tanggap responsif ramah cepat keren apik
    resik kinclong adem sejuk terang fixing fixed repaired quickly fast great nice beautiful
    clean helpful bersih cakep hebat mantap rata mulus halus enak lega padhang padang sae
    """.split()
)
_TOPICS: Final = frozenset("sampah api ular pohon listrik air jalan lampu".split())
# What is wrong, not what it is about: told after a fix, a new problem ("makasih, lampu sudah
# nyala. sekarang got mampet"); "sekarang trotoar lega" only praises.
_PROBLEM_STATES: Final = _PROBLEM_CUES - _TOPICS - frozenset("tidak belum tolong".split())
# A message sent to the wrong chat ("maaf salah kirim", "pesan tadi harusnya buat suami").
_MISSENT: Final = _PhraseSet("""
    salah kirim, salah kirim pesan, salah chat, salah ketik, salah grup, salah nomor, salah kamar,
    salah orang, kepencet, ketekan, harusnya buat, harusnya untuk, maksudnya buat,
    bukan buat sini, bukan untuk sini, wrong chat, wrong number, wrong group, wrong person,
    nyasar ke sini, kesasar ke sini, saya kira ini nomor, kira ini nomor, dikira nomor
""")

# An errand for someone at home or a driver, sent here by mistake ("nanti jemput adik jam 2 ya,
# aku lembur"), a chain message forwarded on ("sebarkan sebelum dihapus"), an earlier message
# withdrawn ("dibatalkan saja, sudah diurus pak RT"): no report for the city, no city office
# buys sugar or fetches a little brother. Only where no catalog phrase names a problem ("tolong
# jemput ODGJ di pasar" is a report, "pesan berantai hoaks soal bansos" asks for a denial).
_NOT_A_REPORT: Final = _PhraseSet("""
    belikan, beliin, tolong beli, nitip beli, titip beli, nitip dong, jemput adik, jemput aku,
    jemput kakak, jemput dedek, pulang jam berapa, pulangnya jam berapa, aku lembur, aku pulang
    telat, aku pulang malam, masak apa, udah makan belum, sudah makan belum, pesanan saya sudah
    dikirim, paketnya sudah sampai, uang saku, uang sakunya, uang jajan, mas ojol, pak ojol,
    kuncine, paketnya titip, titip di pos, jadi ketemu, ketemuan, mulih telat, mulih bengi,
    ora usah dienteni, ojo dienteni, ojok dienteni, gak usah ditunggu, ga usah ditunggu,
    nggak usah ditunggu, tidak usah ditunggu, tukokno, tukokne, tukuo, aku tuku, isiin,
    tolong isiin, mampir bayar, aku deleh, ojo lali, jangan lupa bawa, resi nyusul,
    surat menyusul, izin tidak masuk, mohon izin hari ini, sudah sy kirim, sudah saya kirim via,
    mas driver, pak driver, sudah saya titipkan, wis tak bayar
""")
NOT_A_REPORT_MAX_WORDS: Final = 24
# A joke about the city, with no particular place, number or request in it, is no report.
JOKE_MAX_WORDS: Final = 24
_SERIOUS: Final = frozenset("serius seriusan beneran tenan".split())
_JOKE_WORDS: Final = frozenset(
    "canda becanda bercanda guyon guyonan pantun lelucon joke jokes".split()
)
# "tes sampah": trying the bot with a topic word or two, nothing wrong told.
_TESTING: Final = frozenset("tes test testing tst ngetes ngetest".split())
TESTED_WITH_MAX_WORDS: Final = 2
_DECLARED_JOKES: Final = frozenset("pantun tebakan riddle".split())  # "tebak-tebakan" too
JOKE_DECLARED_WITHIN: Final = 4  # words at either end that may say it is a joke
_LAUGH_EMOJI: Final = frozenset("😂🤣😆")
_ANGER_EMOJI: Final = frozenset("😡🤬😤😠")
# Words that place a problem somewhere in particular ("gang 3", "depan SD", "RT 2").
_PARTICULAR: Final = (
    (lexicon.PLACES - {"kediri", "brantas"})
    | lexicon.LOCATIVES
    | frozenset("jl gg gang rt rw perumahan perum kelurahan kampung desa".split())
)
# "met malem dari pangkalan ojek Pasar Pahing": a greeting and where it comes from.
GREETED_FROM_MAX_WORDS: Final = 8
# A withdrawal often says why ("... ternyata perbaikannya sudah dijadwalkan minggu depan").
WITHDRAWAL_MAX_WORDS: Final = 45
# What makes an errand or an introduction a report: something wrong, or someone the city
# cares for ("jemput ODGJ", "jemput lansia terlantar").
_TROUBLE: Final = _PROBLEM_CUES - _TOPICS - frozenset("tolong".split()) | frozenset(
    "odgj gelandangan terlantar pengemis ngamuk kekunci terkunci terjebak kejebak oknum"
    " dijual".split()
)
# What a story of a fix must not tell after it: trouble, or "masalahnya lain".
_STORY_TROUBLE: Final = _TROUBLE | frozenset(
    "masalah masalahnya problem keluhan keluhannya menumpuk numpuk berserakan ngebaki peteng"
    " menjuntai broken smelly dirty leaking blocked flooded".split()
)
# An earlier message withdrawn ("nggak jadi min, sampahnya udah diangkut", "batal lapor, sudah
# beres sendiri"): it names the problem it takes back. "Nggak jadi" withdraws only at the end of
# its clause or before "lapor" ("jalan nggak jadi diaspal" complains).
_WITHDRAWALS: Final = _PhraseSet("""
    dibatalkan saja, batalkan saja, batalkan laporan, laporan dibatalkan, batal lapor,
    batal laporan, batal aja, batal saja, batal ya, batal min, batal pak, batal bu, cancel aja,
    cancel saja, cancel yang tadi,
    abaikan pesan, abaikan saja, abaikan yang tadi, lupakan pesan, lupakan saja,
    lupakan yang tadi, tarik kembali, saya tarik, udah gak perlu, udah nggak perlu,
    udah ga perlu, sudah tidak perlu, sudah gak perlu, gak perlu lagi, ga perlu lagi,
    nggak perlu lagi, tidak perlu lagi, mboten sido, mboten siyos, usah diproses,
    usah ditindak, usah ditindaklanjuti, usah dilanjut, usah dilanjutkan, abaikan aja,
    diabaikan saja, diabaikan aja, tolong diabaikan, dipunbatalaken kemawon, ditutup saja,
    anggap selesai, please ignore, no need, cancel ya, prelu dipuntindaklanjuti,
    perlu ditindaklanjuti, perlu dilaporin, perlu dilaporkan, perlu repot, perlu datang,
    tolong dibatalkan, mohon dibatalkan, dibatalkan ya, dibatalin aja, batalin aja, batalin saja
""")
_TOPIC_MARKERS: Final = frozenset("soal tentang mengenai perihal bab ttg about".split())
_STATUS_PHRASES: Final = _PhraseSet("sampai mana, tindak lanjut")  # where the report is
# Who a message meant for someone else opens by calling; "pak guru", "bu guru" by title.
_KIN: Final = frozenset(
    "ma mah mama mami mak emak pa papa yah ayah le nduk dek adek nak sayang beb bebeb bos"
    " boss".split()
)
_KIN_TITLES: Final = frozenset("pak bu bapak ibu".split())
_BOSSES: Final = frozenset("bos boss".split())
_NAMED_BY: Final = _KIN_TITLES | frozenset("mas mbak mba kak om tante bude pakde".split())
_TEACHERS: Final = frozenset("guru ustadz ustaz".split())
_WISHES: Final = _PhraseSet("""
    selamat natal, selamat tahun baru, selamat hari raya, selamat idul fitri, selamat lebaran,
    selamat hari jadi, selamat ulang tahun, dirgahayu, turut berduka, innalillahi,
    semangat buat, semangat untuk, semangat terus, kalian pahlawan, sehat selalu,
    semoga sehat, menurutku, menurut saya, menurut pendapat saya, in my opinion, jujur aku,
    jujur saya, jujur, bangga sama, bangga dengan, keep it up
""")
# "semoga", "mudah-mudahan" (read "mudah mudahan"): a hope opens the message
_HOPES: Final = frozenset("semoga smoga moga mugi mugia mudahan hopefully".split())
_THRIVE: Final = frozenset(
    "ramai rame laris maju sukses berkah barokah lancar jaya makmur sejahtera sehat".split()
)
# "aku Dinda", "nama saya Rudi", "kula Painem": a name, written capitalised, after "I".
_SELF_NAMED: Final = re.compile(
    r"\b(?:[Aa]ku|[Ss]aya|[Kk]ula|[Kk]ulo|[Nn]amaku|I'm|I am|[Mm]y name is) ([A-Z][a-z]{2,})\b"
)
# the search runs after one of these
_SELF_WORDS: Final = frozenset("aku saya kula kulo namaku im i my".split())
_INTRODUCTIONS: Final = _PhraseSet("""
    salam kenal, perkenalkan, kenalin, kenalkan, nice to meet you, introducing myself,
    introduce myself, tepangan, badhe tepangan, kenalan dulu, mau kenalan, pertama nganggo,
    pertama pakai, pertama kali pakai, pertama kali nyoba, pertama kali lapor, baru gabung
""")
# After a withdrawal, the words that turn to something new ("tapi sekarang ada ...", "the real
# issue is ...").
_NEW_TOLD: Final = frozenset(
    "tapi tetapi namun ananging nanging sekarang saiki sakmenika nah but however now real"
    " penting".split()
)
_BACK_TO_NORMAL: Final = frozenset(
    "nyala menyala urup murub mengalir ngalir mili lancar normal surut asat hilang ilang"
    " kembali aman beres pergi lunga kabur minggat menghilang ngilang".split()
)
_BY_ITSELF: Final = frozenset("sendiri sendirinya dewe dhewe piyambak itself".split())
# What turned out to be the cause, after a withdrawal: "ternyata kran saya sendiri yang macet".
_REASONS: Final = frozenset("ternyata ternyta rupanya jebul jebule jebulane".split())
_GOING: Final = frozenset("jadi jd jdi sido siyos".split())
_CLAUSE_OPENERS: Final = (
    frozenset(f"{BOUNDARY} eh udah sudah wis sampun ok oke yaudah gaes guys".split()) | _ADDRESSES
)
_NOT_GOING: Final = frozenset(
    "gak ga nggak ngga enggak tidak tdk ndak nda ora ra mboten boten".split()
)
_NOT_GOING_AS_ONE: Final = frozenset("gajadi gakjadi nggakjadi gajd gjd gajdi ndakjadi".split())
_WITHDRAWN_AFTER: Final = frozenset(
    "lapor melapor laporan lapornya ngadu mengadu deh aja saja ya kok minta njaluk nyuwun".split()
) | frozenset("admin min mimin pak bapak bu ibu kak kakak mas mbak mba gan lur".split())
# A chain message forwarded on ("teruskan ke 5 grup", "Forwarded: ..."): no report, even with
# a problem in its story, unless the resident asks whether it is true or tells of a harm. One
# that tells of a chain ("beredar pesan berantai palsu ...") reports a hoax.
_CHAIN_MARKS: Final = _PhraseSet("""
    forwarded, fwd, pesan berantai, broadcast, copas, copas dari grup, diteruskan, pesan terusan,
    kiriman dari grup, info dari grup, info grup sebelah
""")  # how a forwarded text starts; one that tells of a chain starts otherwise
# A memory: the past opens it ("dulu", "biyen", "jaman saya SD") and a time names it.
_PAST_OPENERS: Final = frozenset("dulu dulunya biyen mbiyen jaman zaman jamane".split())
PAST_OPENS_WITHIN: Final = 6  # "Cerita dari mbah saya: dulu tahun 70an ..."
_PAST_TIME: Final = re.compile(
    r"\b(?:19|20)\d\d(?:an)?\b|\b\d0an\b|\bta(?:hu)?n \d\d\b"
    r"|\b(?:waktu|pas|sek|masih) (?:kecil|cilik)\b"
    r"|\b(?:waktu|jaman|zaman) (?:saya|aku|kula) (?:sd|smp|sma|kecil|cilik|muda|sekolah)\b",
    re.IGNORECASE,
)
# Where a forwarded text came from, said at its end: "(copas dari grup sebelah)".
_CHAIN_SOURCES: Final = _PhraseSet("""
    copas, copas dari grup, copas dari grup sebelah, dari grup sebelah, info grup sebelah,
    kiriman dari grup, kiriman grup sebelah, copy paste dari grup
""")
_FORWARDS: Final = frozenset(
    """
    teruskan terusin sebarkan sebarin sebar share bagikan kirim forward viralkan diteruskan
    """.split()
)
_AUDIENCES: Final = frozenset(
    "grup group kontak teman temanmu keluarga saudara contacts friends".split()
)
AUDIENCE_WITHIN: Final = 4  # words after "teruskan" that may name whom to send it to
CHAIN_MARK_WITHIN: Final = 4
_SPREAD: Final = frozenset("sebarkan sebar sebarin viralkan teruskan terusin bagikan".split())
_VICTIMS: Final = frozenset(
    "korban ditipu tertipu dibobol kebobolan terkuras rugi dirugikan".split()
)
_DOUBTS: Final = frozenset(
    """
    benar bener beneran betul benarkah hoaks hoax klarifikasi diluruskan luruskan asli valid
    beredar palsu percaya panik dapat
    """.split()
)

# Promotions, gambling and loans; two strong markers, or one with a link or a number to call.
_SPAM_STRONG: Final = frozenset(
    """
    gacor maxwin slot togel judol deposit depo withdraw jackpot scatter cashback promo diskon
    pinjaman pinjol investasi profit cuan trading forex crypto giveaway hadiah undian
    voucher reseller dropship followers subscribe bonus agunan ongkir pelangsing
    obat kuat klik link terpercaya jp portofolio jasa untung bitcoin airdrop wallet kavling
    sablon japri terpilih jutawan join bisnis penghasilan income member gabung
    """.split()
)
# Selling words: spam markers only beside a link or a number to call and no problem in sight
# ("jual elpiji murah tapi langka" complains; "dijual rumah murah, hubungi 0812..." sells).
# "Cair", "daftar", "jaminan" sell a loan beside a link; without one they tell of a bansos
# not paid or a health insurance refused.
_SPAM_SALE: Final = frozenset(
    "dijual jual murah hubungi minat order cod grosir cair daftar jaminan lowongan loker dicari"
    " sewa sedot gratis dapatkan formulir melayani konter buruan nego dm dp".split()
)
# So many selling words make an advert without a link, if it names no problem.
SALE_MARKERS_ALONE: Final = 3
_SPAM_LINK: Final = re.compile(
    r"https?://|www\.|wa\.me|bit\.ly|t\.me/|\.com\b|\.apk\b|\+62\d{8,}"
    r"|\b08\d{7,}|\b08\d{2}[-\s.]?[\dx]{3,}"  # a number to call, whole, grouped or masked
)
_BEFORE_PLACES: Final = frozenset("pasar di ke dekat deket daerah kelurahan kel nang ning".split())
_AFTER_PLACES: Final = frozenset("lor kidul".split())
# Words that turn a promotion into a complaint about it ("judi online di warung meresahkan").
_COMPLAINT_CUES: Final = frozenset(
    """
    resah meresahkan lapor laporkan melaporkan tolong ditindak tindak tangkap razia tertibkan
    warga anak tetangga penipuan tipu ditipu korban teror diteror ancam mengancam nagih menagih
    bandar marak saldo terkuras dibobol kebobolan
    """.split()
)

# Laughs and chit-chat: "other" when no problem is in sight.
_LAUGH: Final = re.compile(
    r"^(?:w+k+[wk]*|k+w+[kw]*|(?:ha)+h?|(?:he)+h?|(?:hi)+h?|(?:xi)+|a?wkwk\w*|lol|lmao|awok\w*)$"
)
_CHITCHAT: Final = frozenset(
    """
    jomblo pacar cantik ganteng cinta sayang kangen rindu bosen bosan gabut iseng nyanyi pantun
    lucu becanda bercanda canda jodoh makan bobo tidur mimpi lagi ngapain kabar
    """.split()
)

_THANKS_EMOJI: Final = frozenset("🙏👍👌🤝❤💐😊🥰😍💯✅🙂☺")
_GREETING_EMOJI: Final = frozenset("👋")


def _index(
    vocabulary: dict[str, list[tuple[str, ...]]],
) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for tag, phrases in vocabulary.items():
        for words in phrases:
            by_first.setdefault(words[0], []).append((words, tag))
    for entries in by_first.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return by_first


_BY_FIRST: Final = _index(_VOCABULARY)
_FAREWELLS: Final = _PhraseSet(_VOCABULARY[FAREWELL])
_THANKS_WORDS: Final = frozenset(w for phrase in _VOCABULARY[THANKS] for w in phrase)
# Words small talk accounts for; a catalog phrase made only of them is no sign of a problem.
_CHAT_WORDS: Final = (
    frozenset(w for phrases in _VOCABULARY.values() for phrase in phrases for w in phrase)
    | _FILLERS
    | _ABOUT_LAPOR
)
# Courtesy words that also tell of a time or praise ("tiap malam", "baik"): not hidden.
_COURTESY_CONTENT: Final = frozenset(
    "pagi siang sore malam morning ok oke okay okey baik top keren siap sip mantap mantab"
    " noted luar biasa good job cepat tanggap gercep alhamdulillah".split()
)


def courtesies(*, thanks: bool) -> list[str]:
    """The salam, greetings and farewells (and with `thanks` the thanks) that open and close a
    report and tell nothing of it ("Nuwun sewu, ...", "... Matur nuwun"), as written."""
    tags = (SALAM, GREETING, FAREWELL, THANKS) if thanks else (SALAM, GREETING, FAREWELL)
    return [
        " ".join(phrase)
        for tag in tags
        for phrase in _VOCABULARY[tag]
        if not set(phrase) <= _COURTESY_CONTENT
    ]


def small_talk(
    text: str,
    tokens: Sequence[str] | None = None,
    found: Collection[str] = (),
    known: Callable[[str], bool] | None = None,
    agencies: int = 0,
    offices: Collection[str] = (),
) -> tuple[str, ...]:
    """The tags of what `text` is when it is no complaint, in `TAGS` order; () when it may be one.
    `tokens`: `normalize.split(text)`, when the caller has it. `found`: the words of the catalog
    phrases the router found in it, signs of a complaint unless they only name Lapor itself
    ("ini bot?"). `known`: whether a word is a real word; a message of none ("asdfgh") is no
    report anyone could act on. `agencies`: how many agencies those phrases name; a thanks
    that tells of two is a fix and a new problem. `offices`: the agencies' codes as residents
    write them ("dishub"): a thanks addressed to one at the end thanks it for something done."""
    marked = split(text) if tokens is None else tokens
    words = [w for w in marked if w != BOUNDARY]
    if not words:
        return _emoji_only(text)
    if set(found) - _CHAT_WORDS and not _could_be_chat_despite_phrases(text, marked, words):
        return ()  # the common case, decided cheaply: a catalog phrase no small talk explains
    tags: set[str] = set()
    rest = _cover(words, tags)
    if GREETING in tags:
        opened: set[str] = set()
        _cover(words, opened, opening=True)
        if GREETING not in opened:
            tags.discard(GREETING)  # "pengajian Minggu malam" tells when: it greets nobody
    expanded = _readings(words)
    if _is_spam(text, words, expanded):
        return (SPAM,)
    if all(w.isdigit() or (TEST in tags and w in _ABOUT_LAPOR) for w in rest):
        # "tes 123", "123456", "cuma mau nyoba bot ini"
        if not tags and not rest:  # only fillers: an address alone ("min") calls for attention
            if not any(w in _ADDRESSES for w in words):
                return ()
            tags.add(OPENER)
        if OPENER in tags and THANKS in tags:
            tags.discard(OPENER)  # "oke siap min, terima kasih": "siap" is not "mau lapor"
        return _ordered((tags or {OTHER}) | _emoji_tags(text))
    if (
        not _TESTING.isdisjoint(words[:2])
        and len(rest) <= TESTED_WITH_MAX_WORDS
        and not troubled(words)
        and not _asks_something(text, words)
    ):
        return _ordered(tags - {OPENER})  # "tes tes lampu jalan": the bot tried on a topic
    if THANKS in tags and (
        _resolved(words)
        or _praises(words)
        or (agencies <= 1 and _thanks_story(text, words))
        or _thanks_an_office(text, words, offices)
    ):
        return _ordered(tags - {OPENER})  # "makasih, laporan saya sudah ditangani"
    if _fix_news(text, words):
        return _ordered(tags | {OTHER})  # "listrik Bethek udh nyala, aman": nothing to do
    if _announces(text, words):
        return _ordered(tags | {OTHER})  # "Posyandu ... hari Kamis jam 8 di balai RW. Monggo"
    if all(_laughs(w) or w in _CHITCHAT or w.isdigit() for w in rest) and not (
        set(found) - _CHAT_WORDS
    ):
        return _ordered(tags | {OTHER})  # "min udah makan belum? 😂"
    if len(words) <= NOT_A_REPORT_MAX_WORDS:
        if _errand(words) or _to_someone_else(text, marked, known):
            return _ordered(tags | {OTHER})  # "Bu, nanti tolong belikan gas melon ya": for home
        if _introduces(words) or _names_oneself(text, words, known) or _greets_from(text, words):
            return _ordered(tags | {GREETING})  # "aku Darmi bakul pecel Pasar Bandar, salam kenal"
        if _says_goodbye(text, words):
            return _ordered(tags - {OPENER})  # "Sudah dulu ya, mau ke Puskesmas antar cucu"
        if _jokes(text, words):
            return _ordered(tags | {OTHER})  # "mati lampu itu cara PLN nyuruh tidur cepet wkwk"
        if _wishes_or_opines(text, words):
            return _ordered(tags | {OTHER})  # "Selamat Natal utk petugas kebersihan Jl. Dhoho"
    if len(words) <= WITHDRAWAL_MAX_WORDS and (_withdraws(marked) or _gone_by_itself(marked)):
        return _ordered(tags | {OTHER})  # "nggak jadi min, sampahnya udah diangkut"
    if _forwards_chain(words, expanded):
        return _ordered(tags | {OTHER})  # "besok listrik mati 3 hari, teruskan ke 5 grup"
    if _reminisces(text, words):
        return _ordered(tags | {OTHER})  # "Dulu tahun 2002 ada puting beliung di Sukorame ..."
    question = _is_question(text, words)
    if question and _privacy_asked(words) and not set(found) - _CHAT_WORDS:
        return _ordered(tags - {OPENER} | {QUESTION})  # "nama saya dirahasiakan nggak? takut"
    if question and _asks_yes_or_no(marked):
        expanded -= {"tidak"}  # "buka gak?", "bisa nggak lewat email?" ask; they do not complain
    if question and _only_purposes_negated(words):
        expanded -= {"tidak"}  # "jam berapa tutup? biar saya nggak datang pas tutup"
    if _follows_up(text, marked, words, question):
        return _ordered(tags | {QUESTION})  # "laporan saya kemarin gimana?": its status
    if expanded & _PROBLEM_CUES:
        return ()
    if len(words) <= RESOLVED_MAX_WORDS and _MISSENT.found_in(words):
        return _ordered(tags | {OTHER})
    problem = bool(set(found) - _CHAT_WORDS)
    if (
        question
        and not problem
        and len(words) <= ASKING_MAX_WORDS
        and _costs_asked(marked)
        and not _ABOUT_LAPOR.isdisjoint(words)
    ):
        return _ordered(tags - {OPENER} | {QUESTION})  # "lapor di sini bayar nggak?": it is free
    asks_only = not problem or len(words) <= ASKING_MAX_WORDS
    if (
        question
        and asks_only
        and (
            _about_hours(words)
            or _about_contact(words)
            or (set(rest) & _ABOUT_LAPOR and not problem)
        )
    ):
        return _ordered(tags | {QUESTION})
    if problem:
        return ()
    if question and len(rest) <= CHAT_QUESTION_MAX_WORDS:
        return _ordered(tags | {OTHER})  # a long question tells of something: triage reads it
    if known is not None and not any(known(w) for w in rest):
        return _ordered(tags | {OTHER})
    return ()


def told(text: str, tokens: Sequence[str] | None = None) -> tuple[str, ...]:
    """The tags of a message the router found to tell of a problem without asking anything
    (routing/frames.py): "other", a thanks anywhere in it, and the courtesies it opens with
    ("kemarin sore petugas datang" greets nobody)."""
    words = [w for w in (split(text) if tokens is None else tokens) if w != BOUNDARY]
    anywhere: set[str] = set()
    _cover(words, anywhere)
    opened: set[str] = set()
    _cover(words, opened, opening=True)
    return _ordered((opened - {OPENER}) | (anywhere & {THANKS}) | {OTHER})


def _could_be_chat_despite_phrases(text: str, marked: Sequence[str], words: Sequence[str]) -> bool:
    """Spam, a thanks for a fixed problem, a question about office hours may hold catalog
    words ("jam buka puskesmas hari sabtu?"); nothing else that does is small talk."""
    seen = set(words)
    if not (_SPAM_STRONG.isdisjoint(seen) and _SPAM_SALE.isdisjoint(seen)) or not (
        _THANKS_WORDS.isdisjoint(seen)
    ):
        return True
    if (
        _withdraws(marked)
        or _gone_by_itself(marked)
        or _fix_news(text, words)
        or _announces(text, words)
        or _forwards_chain(words, seen)
        or _reminisces(text, words)
        or _reported(words)
        # "mau tanya laporan saya ...": one's own report asked about, with no question mark
        or (not _ASKS_ABOUT.isdisjoint(words) and _names_own_report(text, words))
    ):
        return True
    if _errand(words) or _introduces(words) or _wishes(words) or words[0] in _KIN:
        return True
    if _greets_from(text, words) or _jokes(text, words) or _says_goodbye(text, words):
        return True
    if len(words) <= TESTED_WITH_MAX_WORDS + 2 and not _TESTING.isdisjoint(words[:2]):
        return True  # "halo tes sampah": `small_talk` reads whether only a topic follows
    if not _SELF_WORDS.isdisjoint(seen) and _SELF_NAMED.search(text):
        return True  # "aku Dinda, ...": `_names_oneself` reads whether that is a name
    if marked[0] in _NAMED_BY and list(marked[2:3]) == [BOUNDARY]:
        return True  # "Pak Yanto, ...": `_to_someone_else` reads whether that is a name
    return _is_question(text, words) and (
        _about_hours(words) or _about_contact(words) or _names_own_report(text, words)
    )


def _names_own_report(text: str, words: Sequence[str]) -> bool:
    """ "laporan saya", "laporan PDAM saya", "aduan kula", or a ticket by its number ("tiket
    00917 gmn min?") or reference ("LPR-22914", "my report #45190")."""
    return (
        _FOLLOW_UP.found_in(words)
        or _TICKET_REF.search(text) is not None
        or any(w == "tiket" and any(ch.isdigit() for ch in after) for w, after in pairwise(words))
        or any(
            w == "laporan" and not _OWNERS.isdisjoint(words[at + 1 : at + 1 + OWNER_WITHIN])
            for at, w in enumerate(words)
        )
    )


def _follows_up(text: str, marked: Sequence[str], words: Sequence[str], question: bool) -> bool:
    """A short message about one's own report ("laporan saya kemarin gimana?", "tiket 4471
    sudah sampai mana", "kemaren aku lapor soal saluran, udah diterusin belum")."""
    if len(words) > FOLLOW_UP_MAX_WORDS or not _TOOLS.isdisjoint(words):
        return False
    clauses = " ".join(marked).replace("tindak lanjut", "tindaklanjut").split(BOUNDARY)
    later = [w for clause in clauses[1:] for w in _before_topic(clause.split())]
    if not _readings(later).isdisjoint(_PROBLEM_STATES | _WORSE | lexicon.SHIFTS):
        return False  # "..., gimana? skrg lubangnya makin lebar", "Sekarang sudah meluber": news
    asks_status = not _STATUS_ASKED.isdisjoint(words) or _STATUS_PHRASES.found_in(words)
    if _names_own_report(text, words):
        return question or asks_status
    return asks_status and _reported(words) and not _reported_to_someone(_as_read(words))


def _reported_to_someone(read: Sequence[str]) -> bool:
    """ "udh lapor mandor gk ditanggapi", "sudah lapor ke RT": told to someone, not to Lapor;
    what they did not do is the complaint."""
    return any(
        w == "lapor" and not _SOMEONE_TOLD.isdisjoint(read[at + 1 : at + 3])
        for at, w in enumerate(read)
    )


def _reported(words: Sequence[str]) -> bool:
    """ "sudah lapor", "kmrn udh lapor", "yg saya kirim": a report made before, told."""
    return not _REPORT_ENDS.isdisjoint(words) and _REPORTED.found_in(_as_read(words))


def _as_read(words: Sequence[str]) -> list[str]:
    """The words in the lexicon's first reading, in order ("kmrn udh lapor" is "kemarin sudah
    lapor"): for phrases written in full."""
    return [expand(w)[0] for w in words]


def _reading(word: str) -> tuple[str, ...]:
    """A word as written and as the lexicon reads it ("gk" is also "tidak"); "Jl." before a
    street's name is no road told of ("alamatnya di Jl. apa?")."""
    return (word,) if word in _STREET_PREFIXES else (word, *expand(word))


def _readings(words: Iterable[str]) -> set[str]:
    """Every word of a message as written and as read, in one set."""
    return {e for w in words for e in _reading(w)}


def _read_each(words: Iterable[str]) -> list[set[str]]:
    """Each word as written and as read, in order: for rules that look at neighbours."""
    return [set(_reading(w)) for w in words]


def _introduces(words: Sequence[str]) -> bool:
    """A resident saying who they are, and nothing wrong: the market they sell in is no
    report."""
    return _INTRODUCTIONS.found_in(words) and _readings(words).isdisjoint(_TROUBLE)


def _says_goodbye(text: str, words: Sequence[str]) -> bool:
    """A goodbye with where the resident is off to, and nothing wrong or asked ("Sudah dulu ya,
    mau ke Puskesmas Pesantren antar cucu imunisasi. Wassalam.")."""
    if not _FAREWELLS.found_in(words):
        return False  # most messages: no goodbye, no cover to read
    said: set[str] = set()
    _cover(words, said)
    return (
        FAREWELL in said
        and len(words) <= NOT_A_REPORT_MAX_WORDS
        and not troubled(words)
        and not _asks_something(text, words)
        and _readings(words).isdisjoint(_CONTRAST)
    )


def _jokes(text: str, words: Sequence[str]) -> bool:
    """A joke about the city that reports nothing in particular ("lampu merah itu kayak doi,
    ditungguin lama eh pas ijo ditinggal 🤣"): laughter or a joke said, and no place, number,
    request, question or turn ("... 🤣 tapi serius min, ...", "gaji di bawah UMK 'bonus
    pengalaman' 😂 udah 8 bulan" report)."""
    if len(words) > JOKE_MAX_WORDS:
        return False
    if _declares_joke(words):
        return not requests(words) and _readings(words).isdisjoint(_CONTRAST | _SERIOUS)
    if not _PARTICULAR.isdisjoint(words):
        return False  # most complaints: they say where
    laughing = (
        any(len(w) >= 4 and _laughs(w) for w in words)  # not "he", nor "pe ha ka" spelled
        or not _LAUGH_EMOJI.isdisjoint(text)
        or not _JOKE_WORDS.isdisjoint(words)
    )
    return (
        laughing
        and not any(ch.isdigit() for ch in text)
        and not _asks_something(text, words)
        and _ANGER_EMOJI.isdisjoint(text)
        and _readings(words).isdisjoint(_CONTRAST | _SERIOUS)
    )


def _declares_joke(words: Sequence[str]) -> bool:
    """A joke said to be one, opening ("Pantun dulu min: ...", "aku punya tebakan: ...") or
    closing ("... ampun becanda"): its places, numbers and riddle's question are the joke's."""
    return not _DECLARED_JOKES.isdisjoint(words[:JOKE_DECLARED_WITHIN]) or (
        not _JOKE_WORDS.isdisjoint(words[-JOKE_DECLARED_WITHIN:])
    )


def _greets_from(text: str, words: Sequence[str]) -> bool:
    """A greeting and where it comes from, nothing more ("halo min, met malem dari pangkalan
    ojek Pasar Pahing"): the market is where the resident is, not what is wrong."""
    if "dari" not in words:
        return False
    opened: set[str] = set()
    rest = _cover(words, opened, opening=True)
    return (
        bool(opened & {GREETING, SALAM})
        and rest[:1] == ["dari"]
        and len(rest) <= GREETED_FROM_MAX_WORDS
        and not troubled(rest)
        and not _asks_something(text, rest)
    )


def _names_oneself(text: str, words: Sequence[str], known: Callable[[str], bool] | None) -> bool:
    """A resident saying who they are by name ("Halo min, aku Dinda, mahasiswi UNP, baru pindah
    kos ke Mojoroto 😊") and nothing more: no trouble, no request, no question, no report
    ("saya Budi warga RT 3, lampu jalan mati" reports)."""
    found = _SELF_NAMED.search(text)
    if found is None or known is None or known(found.group(1).casefold()):
        return False
    read = _readings(words)
    return not (
        troubled(words)
        or read & _COMPLAINT_CUES
        or _asks_something(text, words)
        or _is_question(text, words)
    )


def _to_someone_else(
    text: str, marked: Sequence[str], known: Callable[[str], bool] | None = None
) -> bool:
    """A message that opens by calling a relative, a boss, a teacher or someone by name, a
    comma after it ("Ma, aku wis tekan pasar", "Bos, truk e kejebak macet", "Pak guru, PR Dimas
    ketinggalan", "Pak Yanto, iuran sampah udah saya transfer ya, tolong dicatat"): sent here
    by mistake. What it asks of a relative or of someone named is theirs to do, so long as it
    tells of no trouble ("Le, mbahmu minta dijemput"); a boss or a teacher it may not ask
    anything. "Pak", "Bu", "Mas" alone open reports to the officers too; "bos saya nahan
    ijazah" tells of the boss. `known`: whether a word is a real word, not a name."""
    words = [w for w in marked if w != BOUNDARY]
    if len(marked) > 2 and marked[0] in _KIN_TITLES and marked[1] in _TEACHERS:
        called, theirs = 2, False
    elif len(marked) > 2 and marked[0] in _NAMED_BY and known is not None and not known(marked[1]):
        called, theirs = 2, True
    elif marked[0] in _KIN:
        called, theirs = 1, marked[0] not in _BOSSES
    else:
        return False
    if len(marked) <= called or marked[called] != BOUNDARY:
        return False
    if theirs and not troubled(words) and "?" not in text:
        return True
    return not _asks_something(text, words)


def _wishes_or_opines(text: str, words: Sequence[str]) -> bool:
    """A wish, a condolence, cheering on, an opinion about the city, asking nothing and telling
    of no trouble ("menurut saya jalan Mojoroto paling parah" complains)."""
    return (
        _wishes(words)
        and not _asks_something(text, words)
        and not _turns(words)
        and _readings(words).isdisjoint(_STORY_TROUBLE)
    )


def _wishes(words: Sequence[str]) -> bool:
    """A wish's phrase, or a hope for things to thrive ("Semoga Pasar Bandar tambah ramai
    pembeli"); "semoga cepat diperbaiki" hopes for a repair."""
    return _WISHES.found_in(words) or (
        not _HOPES.isdisjoint(words[:2]) and not _THRIVE.isdisjoint(words)
    )


def _errand(words: Sequence[str]) -> bool:
    """An errand meant for home: its phrase, and nothing wrong in the other words ("beliin gas
    melon sama telur" buys; "tolong jemput ODGJ yang ngamuk di pasar" reports)."""
    covered = {i for start, end in _NOT_A_REPORT.spans(words) for i in range(start, end)}
    if not covered:
        return False
    rest = [w for i, w in enumerate(words) if i not in covered]
    return _readings(rest).isdisjoint(_TROUBLE)


def _before_topic(clause: list[str]) -> list[str]:
    """A clause's words up to "soal", "tentang": what follows names the report's topic ("udah
    seminggu nunggu kabar soal got mampet"), not a new problem."""
    end = next((i for i, w in enumerate(clause) if w in _TOPIC_MARKERS), len(clause))
    return [w for w in clause[:end] if w not in _STATUS_ASKED]


def _withdraws(marked: Sequence[str]) -> bool:
    """An earlier message taken back, and nothing new told after it: "batal lapor", "nggak
    jadi" ending its clause or before "lapor"; "jalan nggak jadi diaspal" tells of a repair
    not done, and "laporan ular td cancel aja. nah sekarang ada sarang tawon" of a new
    problem. `marked`: the words with their clause boundaries."""
    end = _withdrawal_end(marked)
    if end is None:
        return False
    return _nothing_new(marked[end:])


def _gone_by_itself(marked: Sequence[str]) -> bool:
    """News that a problem went away by itself or was seen to by the residents themselves
    ("listrik udh nyala lg sendiri", "banyu wis mili dewe", "tawon sudah pergi sendiri",
    "selokan sudah dibersihkan warga sendiri"), and nothing new after it."""
    if _BY_ITSELF.isdisjoint(marked):
        return False  # most messages: nobody's own doing told
    for at, word in enumerate(marked):
        gone = word in _BACK_TO_NORMAL or (
            word in _RESOLVED and not _DONE.isdisjoint(_readings(marked[max(0, at - 2) : at]))
        )
        if gone and not _BY_ITSELF.isdisjoint(marked[at + 1 : at + 4]):
            return _nothing_new(marked[at + 1 :])
    return False


def _nothing_new(rest: Sequence[str]) -> bool:
    """No turn to something new ("tp KTP istri sy salah ketik") and nothing wrong told but
    before its fix ("pohon tumbang, sudah dipotong warga"); "nggak perlu didatangi" needs
    nothing, and a clause that says why there is nothing to do ("ternyata kran rumah saya
    sendiri yang macet") tells of no problem for anyone else."""
    said = _without_reasons(rest)
    read = _read_each(said)
    fine = _needing_nothing(read, said)
    last_fix = max((i for i in range(len(read)) if _fixed_at(read, i)), default=-1)
    told = set().union(*(r for i, r in enumerate(read) if i not in fine))
    trouble = (i for i, r in enumerate(read) if i not in fine and not r.isdisjoint(_TROUBLE))
    return (
        _NEW_TOLD.isdisjoint(told)
        and all(i < last_fix for i in trouble)  # "pohon tumbang, sudah dipotong warga"
        and not (last_fix >= 0 and requests(said))  # "..., mohon segera diangkut" asks a fix
    )


def _without_reasons(marked: Sequence[str]) -> list[str]:
    """The words without the clauses that open with "ternyata", "jebul" (what turned out to be
    the cause), unless they turn to something new ("ternyata sekarang ada ...")."""
    kept: list[str] = []
    clause: list[str] = []
    for word in [*marked, BOUNDARY]:
        if word != BOUNDARY:
            clause.append(word)
            continue
        if not (clause and clause[0] in _REASONS and _NEW_TOLD.isdisjoint(_readings(clause))):
            kept.extend(clause)
        kept.append(BOUNDARY)
        clause = []
    return kept[:-1]


def _needing_nothing(read: Sequence[set[str]], words: Sequence[str]) -> set[int]:
    """Where a "not" tells of no trouble ("tidak perlu ditindaklanjuti", "boten wonten
    keluhan"): it, what it negates and the word after."""
    return {
        j
        for i, r in enumerate(read)
        if r & _NEGATIONS and i + 1 < len(words) and words[i + 1] in _NOTHING_NEEDED
        for j in (i, i + 1, i + 2)
    }


def _withdrawal_end(marked: Sequence[str]) -> int | None:
    """Where the first withdrawal in `marked` ends, if there is one."""
    for start, end in _WITHDRAWALS.spans(marked):
        if BOUNDARY not in marked[start:end]:
            return end
    if _NOT_GOING_AS_ONE.isdisjoint(marked) and (
        _NOT_GOING.isdisjoint(marked) or _GOING.isdisjoint(marked)
    ):
        return None  # most messages: no "nggak jadi"
    for at, word in enumerate(marked):
        if word in _NOT_GOING_AS_ONE:
            said = 1  # "eh gajadi deh"
        elif word in _NOT_GOING and at + 1 < len(marked) and marked[at + 1] in _GOING:
            said = 2
        else:
            continue
        after = marked[at + said] if at + said < len(marked) else BOUNDARY
        starts = at == 0 or marked[at - 1] in _CLAUSE_OPENERS  # "KIA gak jadi-jadi" waits
        if after in _WITHDRAWN_AFTER or (after == BOUNDARY and starts):
            return at + said
    return None


def _reminisces(text: str, words: Sequence[str]) -> bool:
    """A memory told for its own sake ("Dulu tahun 2000an banjir besar di Semampir, mbah saya
    sampai ngungsi ke masjid"): it opens on the past, names when, asks nothing, and tells of
    nothing wrong now or still ("dulu tahun 2020 diaspal, sekarang rusak lagi" complains)."""
    if _PAST_OPENERS.isdisjoint(words[:PAST_OPENS_WITHIN]) or _PAST_TIME.search(text) is None:
        return False
    troubles = [i for i, r in enumerate(_read_each(words)) if not r.isdisjoint(_TROUBLE)]
    return not (_wrong_now(words, troubles) or _asks_something(text, words))


def _wrong_now(words: Sequence[str], troubles: Collection[int]) -> bool:
    """Trouble (at `troubles`) told just after "sekarang", "masih" ("sekarang kotor", "masih
    mati"): what is wrong now, however the story began."""
    return any(
        words[i] in _NOW_WORDS and any(j in troubles for j in range(i + 1, i + 1 + NOW_WITHIN))
        for i in range(len(words))
    )


def _forwards_chain(words: Sequence[str], expanded: set[str]) -> bool:
    """A chain message: marked as forwarded, or asking its readers to pass it to groups or
    contacts; one asked about ("bener gak?") or that tells of a victim is a report."""
    opening = words[:CHAIN_MARK_WITHIN]
    closing = words[-CHAIN_MARK_WITHIN:]
    chain = (
        any(start == 0 for start, _ in _CHAIN_MARKS.spans(opening))
        or any(end == len(closing) for _, end in _CHAIN_SOURCES.spans(closing))
        or words[-1] in _SPREAD  # "..., jangan mau disuntik!!! SEBARKAN"
        or (
            not _FORWARDS.isdisjoint(words)
            and any(
                word in _FORWARDS
                and not _AUDIENCES.isdisjoint(words[at + 1 : at + 1 + AUDIENCE_WITHIN])
                for at, word in enumerate(words)
            )
        )
    )
    return chain and _DOUBTS.isdisjoint(words) and not (expanded & _VICTIMS)


@lru_cache(maxsize=65536)
def _laughs(word: str) -> bool:
    return _LAUGH.match(word) is not None


def _cover(words: Sequence[str], tags: set[str], *, opening: bool = False) -> list[str]:
    """Words no small-talk phrase or filler accounts for; the tags of the phrases found (with
    `opening`, of those the message starts with only, up to its first other word)."""
    rest: list[str] = []
    at = 0
    while at < len(words):
        for phrase, _ in _BY_FIRST.get(words[at], ()):
            if tuple(words[at : at + len(phrase)]) == phrase:
                tags.update(t for p, t in _BY_FIRST[words[at]] if p == phrase)
                at += len(phrase)
                break
        else:
            word = words[at]
            if word not in _FILLERS and not _laughs(word):
                if opening:
                    return [*rest, *words[at:]]
                rest.append(word)
            at += 1
    if not rest and not tags and any(_laughs(w) for w in words):
        tags.add(OTHER)
    return rest


def _is_spam(text: str, words: Sequence[str], expanded: set[str]) -> bool:
    """Promotion words beside a link or a number to call, or dense in a short text: a long
    story that mentions "reseller" and "daftar" once each asks for a licence, it advertises
    nothing."""
    link = _SPAM_LINK.search(text.casefold()) is not None
    selling = link and not expanded & _PROBLEM_CUES
    markers = _SPAM_STRONG | _SPAM_SALE if selling else _SPAM_STRONG
    strong = {w for w in words if w in markers}
    sale = {w for w in words if w in _SPAM_SALE}
    if link:
        if not strong:
            return False
    elif len(sale | strong) >= SALE_MARKERS_ALONE and not troubled(words):
        strong |= sale  # "Jual token listrik & pulsa murah ... Konter Mas Yoga": an advert
    if not link and (len(strong) < 2 or len(words) > SPAM_WORDS_PER_MARKER * len(strong)):
        return False
    return not (expanded - _place_names(words)) & _COMPLAINT_CUES


def _place_names(words: Sequence[str]) -> set[str]:
    """Words that name a place here, though they may mean something else ("Pasar Bandar",
    "Bandar Lor"; "bandar judi" deals)."""
    return {
        w
        for at, w in enumerate(words)
        if w in lexicon.PLACES
        and (
            (at and words[at - 1] in _BEFORE_PLACES)
            or (at + 1 < len(words) and words[at + 1] in _AFTER_PLACES)
        )
    }


def _no_longer(words: Sequence[str]) -> list[str]:
    """The words without "no longer" spans ("sekarang nggak bau lagi", "ga banjir lagi"): a
    problem said to be gone is no problem, nor is its "not" a contrast."""
    kept: list[str] = []
    at = 0
    while at < len(words):
        ends = [
            end
            for end in range(at + 2, min(at + 2 + NO_LONGER_WITHIN, len(words)))
            if words[end] in lexicon.AGAIN or not lexicon.AGAIN.isdisjoint(expand(words[end]))
        ]
        if words[at] in _NOT_GOING and ends:
            at = ends[0] + 1
            continue
        kept.append(words[at])
        at += 1
    return kept


def _resolved(words: Sequence[str]) -> bool:
    """A short note that something is fixed; a longer message or a request is a report, and
    so is a problem told after the fix ("makasih, lampu sudah nyala. sekarang got mampet").
    "Lagi" after the fix ("sudah mengalir lagi") is the fix, not a relapse ("mati lagi")."""
    if len(words) > RESOLVED_MAX_WORDS:
        return False
    words = _no_longer(words)
    expanded = _readings(words)
    fixed = [
        i
        for i, w in enumerate(words)
        if w in _RESOLVED
        or set(expand(w)) & _RESOLVED
        or (i and words[i - 1] == "dipun" and f"di{w}" in _RESOLVED)  # krama "dipun aspal"
    ]
    after = _readings(words[fixed[-1] + 1 :]) if fixed else set()
    return (
        not after & _PROBLEM_STATES
        and bool(fixed)
        and not _turns(words)
        and not _DONE.isdisjoint(expanded)
    )


def _turns(words: Sequence[str]) -> set[str]:
    """The contrast words ("tapi", "masih", "mati lagi"), as written or as read; "lagi" just
    after a fix ("sudah mengalir lagi", "ngalir deres lagi", "dibuka lagi") is the fix, not a
    relapse."""
    found: set[str] = set()
    for at, word in enumerate(words):
        read = set(_reading(word)) & _CONTRAST
        if read == {"lagi"} and not _RESOLVED.isdisjoint(words[max(0, at - AGAIN_AFTER_FIX) : at]):
            continue
        found |= read
    return found


def _fix_news(text: str, words: Sequence[str]) -> bool:
    """Short news of a fix without a thanks ("listrik udh nyala, aman"): it asks nothing, its
    last word but for particles is the fix, just after "sudah" ("njaluk dipangkas" asks for
    one), and it is no expectation ("padahal tetangga sudah cair"); "jalan sudah diaspal
    sekarang bergelombang" and "lampu sudah nyala siang hari terus" go on to the trouble."""
    if len(words) > FIX_NEWS_MAX_WORDS:
        return False
    last = len(words) - 1
    while last >= 0 and words[last] in _FIX_CLOSERS:
        last -= 1
    if last < 0 or _RESOLVED.isdisjoint((words[last], *expand(words[last]))):
        return False  # the common case, decided first: the message ends on something else
    read = _read_each(words)
    return (
        any(r & _DONE for r in read[max(0, last - DONE_WITHIN) : last])
        and not any(r & _EXPECTED for r in read)
        and not _is_question(text, words)
        and not requests(words)
        and _resolved(words)
    )


def _announces(text: str, words: Sequence[str]) -> bool:
    """An announcement forwarded here: an event on a day ("Posyandu balita hari Kamis jam 8 di
    balai RW 3") that invites ("Monggo datang", "mohon hadir") or, opened as one ("📢",
    "Pengumuman:"), says what to bring ("Bawa buku KIA"; "ada tawuran, bawa sajam" orders
    nothing) or opens as a notice ("Diberitahukan kepada warga ..."), asking nothing and
    telling of no trouble; "Info: tiap Kamis malam sampah dibakar" invites nobody."""
    if _DAYS.isdisjoint(words):
        return False
    opened = "📢" in text or words[0] in _ANNOUNCED
    bring = opened and not _BRING.isdisjoint(words)
    held = _EVENTS.found_in(words) and (opened or not _HELD.isdisjoint(words))
    turns = _turns(words) - (_ASKS if bring else frozenset())  # "Mohon membawa buku KIA"
    return (
        (bring or words[0] in _NOTICES or _INVITES.found_in(words) or held)
        and not troubled(words)
        and not _is_question(text, words)
        and not turns
        and not (held and requests(words))
    )


def _thanks_an_office(text: str, words: Sequence[str], offices: Collection[str]) -> bool:
    """A message that opens or ends thanking an office by name for something done ("seragam
    wis teko, suwun disdik 👍", "Terima kasih Disnaker, pelatihannya bermanfaat, saya sudah
    kerja") and asks nothing, turns to nothing and tells of no trouble; "ada ular masuk dapur,
    terima kasih damkar" thanks in advance for a report."""
    if not any(
        not _THANKS_WORDS.isdisjoint(edge) and any(w in offices for w in edge)
        for edge in (words[:OFFICE_THANKS_WITHIN], words[-OFFICE_THANKS_WITHIN:])
    ):
        return False
    words = _no_longer(words)
    read = _readings(words)
    done = bool(read & (_DONE | _RESOLVED))
    return done and not (_asks_something(text, words) or read & _TROUBLE or read & _CONTRAST)


def _thanks_story(text: str, words: Sequence[str]) -> bool:
    """A long thanks that tells the story of a fix ("lampu gang Kenanga mati sebulan. Kemarin
    petugas datang, sekarang terang. Matur nuwun"): it asks nothing, turns to nothing ("tapi",
    "masih"), tells of no trouble now ("sekarang kotor") nor after the fix."""
    if len(words) > THANKS_STORY_MAX_WORDS or _asks_something(text, words):
        return False
    words = _no_longer(words)
    read = _read_each(words)
    fixes = [i for i, r in enumerate(read) if _fixed_at(read, i)]
    fine = _needing_nothing(read, words)
    troubles = [i for i, r in enumerate(read) if not r.isdisjoint(_STORY_TROUBLE) and i not in fine]
    return (  # the trouble told, then its fix: "sarang tawon ..., pohon sudah dipangkas" is two
        bool(fixes)
        and bool(troubles)
        and troubles[-1] < fixes[-1]
        and not _wrong_now(words, troubles)
        and not any(r & _STORY_TURNS for r in read)
    )


def _fixed_at(read: Sequence[set[str]], at: int) -> bool:
    """A fix told at `at`: not negated ("lampunya gak nyala"), and a weak word ("bisa",
    "kembali") only after "sudah" ("sudah bisa dilewati")."""
    if read[at].isdisjoint(_RESOLVED):
        return False
    before = set().union(*read[max(0, at - 2) : at])
    if before & _NOT_DONE:
        return False
    return read[at].isdisjoint(_WEAK_FIXES) or "sudah" in before


def troubled(words: Sequence[str]) -> bool:
    """A sign of trouble ("antre", "bau", "rusak"), as written or as read."""
    return not _TROUBLE.isdisjoint(_readings(words))


def requests(words: Sequence[str]) -> bool:
    """A request word ("tolong", "mohon" but not "mohon maaf"). Given the analysed words (as
    the router passes them), "tlg" and "nyuwun" already read "tolong" and "mohon"; given the
    words as written, as `_asks_something` does, they do not."""
    return any(
        w in _ASKS and (i + 1 == len(words) or words[i + 1] not in _COURTEOUS_AFTER)
        for i, w in enumerate(words)
    )


def _asks_something(text: str, words: Sequence[str]) -> bool:
    """A request or a question mark."""
    return "?" in text or requests(words)


def _praises(words: Sequence[str]) -> bool:
    """A short thanks that praises ("Pak Wali keren, taman kota sekarang bagus") and tells of
    no trouble: no problem cue beyond a topic word, no "tapi", "masih", "tolong"."""
    if len(words) > RESOLVED_MAX_WORDS:
        return False
    words = _no_longer(words)
    expanded = _readings(words)
    only_but = any(  # "cuma tempat sampahnya luber"; not "mung arep ngucapke suwun"
        w in _ONLY and (i + 1 == len(words) or words[i + 1] not in lexicon.WANTS)
        for i, w in enumerate(words)
    )
    urged = len(words) > 1 and words[-2] in _HURRY and words[-1] in _PARTICLES | _ADDRESSES
    return (
        bool(expanded & _PRAISE)
        and not urged  # "..., ada ular masuk dapur, cepat ya": hurried, not praised
        and not expanded & (_PROBLEM_CUES - _TOPICS)
        and not expanded & (_CONTRAST - _ONLY)
        and not only_but
    )


def _last_word(words: Sequence[str]) -> str:
    """The last word before trailing particles ("di mana ya", "buka gak sih")."""
    end = len(words)
    while end > 1 and words[end - 1] in _PARTICLES:
        end -= 1
    return words[end - 1]


def _only_purposes_negated(words: Sequence[str]) -> bool:
    """Every "not" in the message is in a purpose ("biar nggak", "supaya saya tidak"): what the
    writer means to avoid, not something wrong."""
    negated = [i for i, w in enumerate(words) if "tidak" in (w, *expand(w))]
    return bool(negated) and all(
        not _PURPOSES.isdisjoint(words[max(0, i - PURPOSE_WITHIN) : i]) for i in negated
    )


def _asks_yes_or_no(marked: Sequence[str]) -> bool:
    """A "not" that only asks: last ("buka gak ya?"), after "bisa", "boleh", "ada", "apa",
    "sudah" ("bisa nggak ngadu lewat email?"), or ending a clause that one of them opened ("bot
    ini bisa bahasa jawa ga? simbahku pengen nyoba")."""
    words = [w for w in marked if w != BOUNDARY]
    if _last_word(words) in _QUESTION_NEGATIONS or any(
        w in _QUESTION_NEGATIONS and before in _YES_OR_NO for before, w in pairwise(words)
    ):
        return True
    clauses = [c.split() for c in " ".join(marked).split(BOUNDARY)]
    return any(
        c and _last_word(c) in _QUESTION_NEGATIONS and not _YES_OR_NO.isdisjoint(c[:-1])
        for c in clauses
    ) or _opens_or_not(marked)


def _privacy_asked(words: Sequence[str]) -> bool:
    """Whether a report keeps the reporter's name secret, asked: the fear that comes with it
    ("saya takut") is the reason to ask, not a problem told."""
    return not (_PRIVACY.isdisjoint(words) or _REPORTING.isdisjoint(words))


def _costs_asked(marked: Sequence[str]) -> bool:
    """ "bayar nggak?", "gratis kan?", "berbayar atau tidak?": whether something costs is asked."""
    return not _COSTS.isdisjoint(marked)


def _opens_or_not(marked: Sequence[str]) -> bool:
    """ "buka ga ya?", "buka hari sabtu gak?", "bayar nggak sih?": a clause about an office
    opening or something costing, ending on "not": whether it does, asked."""
    for at, word in enumerate(marked):
        if at and word in _QUESTION_NEGATIONS:
            after = [w for w in marked[at + 1 :] if w not in _PARTICLES]
            if after and after[0] != BOUNDARY:
                continue
            start = at
            while start and marked[start - 1] != BOUNDARY:
                start -= 1
            clause = marked[start:at]
            if not (_OPENS.isdisjoint(clause) and _COSTS.isdisjoint(clause)):
                return True
    return False


def _is_question(text: str, words: Sequence[str]) -> bool:
    """A question mark, or a question word first or last, or a "yes or no" at the end
    ("botnya hidup gak", "buka apa nggak"); "tidak dapat hak apa-apa" ends on "anything"."""
    last = _last_word(words)
    return (
        "?" in text
        or words[0] in _QUESTION_WORDS
        or (last in _QUESTION_WORDS and _ANYTHING.search(text) is None)
        or (len(words) > 1 and last in _QUESTION_NEGATIONS)
        or not _ASKING.isdisjoint(words)
        or (
            not _REQUESTS.isdisjoint(words)
            and any(w in _REQUESTS and after.startswith(_CONTACT) for w, after in pairwise(words))
        )
    )


def _about_contact(words: Sequence[str]) -> bool:
    """A way to reach an office asked for ("nomor wa dinsos", "alamat kantor capil"); "nomor
    pelanggan", "nomor objek pajak" are numbers of a service, not of an office."""
    return any(
        word.startswith(_CONTACT)
        and (at + 1 == len(words) or words[at + 1] not in _SERVICE_NUMBERS)
        for at, word in enumerate(words)
    ) or any(
        word == "kantor" and not _WHERE.isdisjoint(words[at + 2 : at + 1 + WHERE_WITHIN])
        for at, word in enumerate(words)
    )


def _about_hours(written: Sequence[str]) -> bool:
    """Office hours asked about: "buka", "tutup", "libur", or two hour words close together
    ("jam pelayanan", "hari sabtu", "bikak jam pinten"); "kerja dua belas jam" tells of a
    working day, it does not ask when an office opens."""
    words = [read for word in written for read in expand(word)]
    opening = {i for i, w in enumerate(words[:-1]) if w == "buka" and words[i + 1] in _BUSINESSES}
    opening |= {  # "sejak pabrik tutup": a business closed for good, no office hours
        i for i, w in enumerate(words) if i and w in ("buka", "tutup") and words[i - 1] in _SHUT
    }
    first = [i for i, w in enumerate(words) if w in _HOURS_FIRST and i not in opening]
    second = [
        i for i, w in enumerate(words) if w in _HOURS_SECOND and w != "jam" and i not in opening
    ]
    return any(i == j or 0 < abs(i - j) <= HOURS_NEAR for i in first for j in second)


def _emoji_only(text: str) -> tuple[str, ...]:
    """Nothing but emoji or punctuation (or nothing at all): thanks for 🙏👍, a wave, or other."""
    return _ordered(_emoji_tags(text)) or (OTHER,)


def _emoji_tags(text: str) -> set[str]:
    tags: set[str] = set()
    for ch in text:
        if ch in _THANKS_EMOJI:
            tags.add(THANKS)
        elif ch in _GREETING_EMOJI:
            tags.add(GREETING)
    return tags


def _ordered(tags: set[str]) -> tuple[str, ...]:
    return tuple(tag for tag in TAGS if tag in tags)
