"""Messages that are no complaint are named for what they are, so the dialog can answer them
(Wa'alaikumsalam for a salam, "masalah apa?" for an opener); a complaint that opens with a
greeting stays a complaint."""

from __future__ import annotations

import pytest

from routing import smalltalk
from routing.matcher import Router


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("Assalamu'alaikum", ("salam",)),
        ("asslmkm wr wb", ("salam",)),
        ("Assalamualaikum, pak mau lapor", ("salam", "opener")),
        ("Halooo", ("greeting",)),
        ("selamat siang bapak ibu", ("greeting",)),
        ("Punten", ("greeting",)),
        ("sugeng enjing", ("greeting",)),
        ("permisi min, mau tanya", ("greeting", "opener")),
        ("min", ("opener",)),
        ("pak ada masalah", ("opener",)),
        ("saya ingin menyampaikan keluhan", ("opener",)),
        ("nyuwun pirsa", ("opener",)),
        ("makasih banyak min", ("thanks",)),
        ("maaf, pesan saya tadi dibatalkan saja ya, sudah beres sendiri", ("other",)),
        # a question about one's own report asks for its status, it reports nothing new
        ("laporan saya minggu lalu soal lampu jalan gimana ya min?", ("opener", "question")),
        ("bisa nggak lapor lewat email?", ("opener", "question")),  # "nggak" after "bisa" only asks
        ("makasih, PKL sudah ditertibkan, sekarang trotoar lega", ("thanks",)),
        ("airdrop bitcoin gratis, connect wallet sekarang", ("spam",)),
        ("makasih min, wifi taman sudah bisa lagi", ("thanks",)),  # the fix told: no report
        ("trims, garis zebra cross depan sekolah sudah dicat", ("thanks",)),
        ("Matur nuwun sanget 🙏", ("thanks",)),
        ("👍🙏", ("thanks",)),
        ("oke siap, terima kasih atas infonya", ("thanks",)),
        ("terima kasih, got di depan rumah sudah dibersihkan", ("thanks",)),
        # a time of day told is no greeting: "tadi malam" says when the light came on
        ("Makasih min, lampu depan rumah sudah nyala lagi tadi malam", ("thanks",)),
        ("selamat malam min, makasih lampunya sudah nyala", ("greeting", "thanks")),
        ("ok dadah", ("thanks", "farewell")),
        ("Wassalamualaikum", ("salam", "farewell")),
        ("P", ("test",)),
        ("ping", ("test",)),
        ("tes tes 123", ("test",)),
        ("cuma nyoba bot ini", ("test",)),  # trying Lapor out
        ("cek bot-nya hidup gak", ("test", "question")),  # a yes-or-no ends it: no "not alive"
        ("kantor kelurahan buka jam berapa ya?", ("question",)),
        ("hari sabtu capil buka gak?", ("question",)),
        ("puskesmas sukorame hari ini buka gak ya?", ("question",)),  # particles after it
        # ... and another question after it
        (
            "Puskesmas Sukorame hari Minggu buka nggak ya? poli giginya sampai jam berapa",
            ("question",),
        ),
        ("ini chatbot ya min?", ("question",)),
        ("ini bot atau orang beneran yang bales?", ("question",)),  # "beneran" is only a hint
        ("halo, nomor ini resmi dari pemkot?", ("greeting", "question")),
        ("alamat kantor dinas sosial di mana ya", ("question",)),  # reaching an office
        ("nomor telepon dinas perhubungan berapa min", ("question",)),
        ("alhamdulillah air sudah mengalir lagi, terima kasih", ("thanks",)),  # fixed again
        ("makasih, pohon tumbang sudah dipotong petugas", ("thanks",)),
        ("izin usaha saya sudah terbit, terima kasih", ("thanks",)),
        # praise after a thanks, though it names a topic
        ("matur nuwun, lampu jalan gang kami sekarang terang", ("thanks",)),
        ("thanks for fixing the road so fast", ("thanks",)),
        ("keren pak, alun-alun sekarang rapi dan bersih", ("thanks",)),
        # sent to the wrong chat
        ("maaf pak salah kirim", ("other",)),
        ("waduh fotonya nyasar ke sini, hapus saja", ("other",)),
        ("sugeng dalu sedaya", ("greeting",)),
        ("eh pesan tadi harusnya buat adik saya", ("other",)),
        ("Dijual tanah murah dekat pasar, minat hubungi 081234567890", ("spam",)),
        ("SLOT GACOR maxwin hari ini, depo 10rb langsung WD! klik bit.ly/xx", ("spam",)),
        ("Pinjaman dana cair 1 jam tanpa jaminan, hub 081234567890", ("spam",)),
        ("Butuh modal? pinjaman cair sehari tanpa jaminan, WA 0857-xxxx-xxxx", ("spam",)),
        ("dicari reseller, daftar sekarang gratis ongkir", ("spam",)),  # dense, no link
        ("wkwkwk", ("other",)),
        ("min udah makan belum? 😂", ("other",)),
        ("😂😂", ("other",)),
        ("zxcvbnm", ("other",)),
    ],
)
def test_small_talk_is_tagged_and_routed_nowhere(
    router: Router, text: str, tags: tuple[str, ...]
) -> None:
    result = router.route(text)
    assert result.small_talk == tags
    assert not result.complaint
    assert result.opd is None
    assert result.candidates == ()


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("selamat pagi, lampu jalan di gang 3 mati sejak kemarin", "PERKIM"),
        ("Assalamualaikum pak, sampah di TPS Jl. Semeru sudah meluber ke jalan", "DLHKP"),
        ("permisi min mau lapor, pipa PDAM bocor di depan masjid", "PDAM"),
        ("halo, terima kasih. tapi lampu merah perempatan masih mati", "DISHUB"),
        ("makasih min, taman kota bagus tapi sampahnya numpuk", "DLHKP"),
        ("terima kasih, jalan depan rumah berlubang lagi", "PUPR"),
        ("maaf salah kirim tadi, yang benar pohon tumbang di Jl. Semeru", "BPBD"),
        ("tolong min, ada judi online di warung kopi, warga resah", "POLRI"),
        ("air mati lagi, kemarin sudah nyala tapi sekarang mati lagi", "PDAM"),
        ("ada yang jual elpiji 3 kg murah tapi langka, hubungi 081234567890", "DISPERDAGIN"),
        ("nomor rumah saya 12, jalan depan rumah berlubang, kapan ditambal?", "PUPR"),
        # thanked for one, then the one left
        (
            "Lampu jalan kemarin sudah diganti, makasih. Sekarang tinggal got depan SD Bangsal yang"
            " mampet",
            "PUPR",
        ),
        # thanks in advance, hurrying the office: "cepat ya" is no praise
        ("Makasih Damkar, ada ular masuk dapur rumah saya di Bangsal, cepat ya", "DAMKAR"),
    ],
)
def test_a_complaint_opening_with_small_talk_is_a_complaint(
    router: Router, text: str, agency: str
) -> None:
    result = router.route(text)
    assert result.small_talk == ()
    assert result.complaint
    assert result.opd == agency


@pytest.mark.parametrize(
    "text",
    [
        "air di rumah sudah tiga hari cuma netes",  # no keyword, still a problem
        "cara bayar PBB lewat hp gimana?",  # a question to an agency is a service request
        # a number the service gives ("nomor pelanggan") is no contact asked for
        "cara bayar tagihan PDAM lewat m-banking gimana ya? nomor pelanggan diisi di menu mana",
        "jam 11 malam masih ada orang karaoke kenceng banget",  # hours, but a nuisance
        "kenapa kantor kelurahan tutup padahal jam kerja?",
        "lampu jalan di gang 3 kok nyala gak",  # a yes-or-no about a problem is a report
        "makasih min, tapi wifi di taman belum bisa juga",  # thanked, and still broken
        # a report named, then more told than its status
        "laporan saya kemarin soal pipa bocor kok belum ditangani? sekarang airnya muncrat ke"
        " jalan dan rumah tetangga kebanjiran",
        # thanked for one fix, then a new problem
        "makasih, sampah kemarin sudah diangkut. sekarang lampu jalan depan rumah mati",
        # "cair", "daftar", "jaminan" sell loans only beside a link
        "bansos BLT ibu saya belum cair padahal namanya ada di daftar penerima",
        "NIK saya tidak terbaca jadi tidak bisa daftar jaminan kesehatan",
        # "nggak jadi" in the middle of a clause: a service not delivered, nothing withdrawn
        "jalan gang 4 nggak jadi diaspal padahal sudah diukur bulan lalu",
        "KTP anak saya sudah dua bulan gak jadi-jadi!!!",
        # a chain told of is a hoax reported; a report on the app names one's report too
        "beredar pesan berantai atas nama pemkot minta data KTP warga, mohon diluruskan",
        "aplikasi lapor error terus, saya nggak bisa lihat status laporan saya",
        # a service cancelled is no report withdrawn; "kirim" ending a report shares nothing
        "jadwal imunisasi di posyandu Tamanan dibatalkan lagi tanpa kabar",
        "tagihan air bulan ini naik dua kali lipat, nomor pelanggannya nanti saya kirim",
        # a report to the police told as done, then a request: no question about one's report
        "sudah lapor polisi soal helm yang hilang, tapi tolong tindak warung miras di gang itu",
        # an event asked for, not announced; why a tax is so much, after a thanks
        "mohon diadakan kerja bakti bersih selokan hari Minggu, got sudah penuh lumpur",
        "Terima kasih soal KK kemarin. Mau tanya juga, kenapa PBB rumah saya naik dua kali"
        " lipat tahun ini",
        # "lagi" after a relapse is no fix; what came back after the residents cleaned
        "sampah sudah diangkut warga sendiri, tapi sekarang numpuk lagi di pinggir kali",
        # gone by itself, then another problem asked to be fixed
        "got depan rumah sudah surut sendiri. yang parah sampah di TPS ujung gang meluber, mohon"
        " segera diangkut",
        # a memory that ends on what is wrong now
        "Dulu tahun 2019 jalan gang 4 Bangsal diaspal, sekarang berlubang lagi dan tergenang",
        "Dulu tahun 2015 lampu jalan di gang kami dipasang, sampai sekarang belum pernah diganti"
        " padahal mati",
        # a test that tells of trouble; a joke's form around a request
        "tes, jalan di gang 3 Bangsal berlubang parah",
        "Pantun: jalan berlubang di Jl. Kawi, tolong segera diperbaiki ya pak",
        # "apa-apa" ends on "anything", it asks nothing
        "pabrik tempat saya kerja di Jl. Semeru tutup, kami disuruh mundur supaya tidak dapat"
        " pesangon apa-apa",
        # one report withdrawn, a new one told; praise, "cuma" a problem
        "laporan soal kucing tadi cancel aja min, udah ketemu. nah sekarang ada sarang tawon"
        " gede di pohon depan rumah",
        "taman kota makin cakep, cuma tempat sampahnya luber dari kemarin",
        # a withdrawal, then something new in chat spelling
        "ga jd lapor soal KK, udah beres. tp KTP istri sy namanya salah ketik, gmn benerinnya?",
        # a thanks beside a fix not done, or a fix of something else than the problem told
        "lampu jalan di gang 7 tiangnya miring mau roboh, lampunya juga gak nyala. makasih min",
        "ada ular masuk gudang rumah saya di Bujel, anak saya ketakutan. kemarin lapor pohon"
        " yang dahannya ke atap, sudah dipangkas, makasih",
        # a name, then a report
        "Saya Budi, warga RT 3 Bangsal, lampu jalan depan rumah mati",
        # selling words in a report of what is sold
        "ada yang jual miras murah di warung dekat SD, pembelinya anak sekolah",
        # news of trouble on a day, however it opens, with "bawa" that orders nothing
        "Info: tiap hari Kamis jam 8 malam sampah dibakar di lapangan Ngronggo, asapnya masuk",
        "ada tawuran remaja di lapangan hari Minggu, bawa sajam",
        # a thanks to an office in advance of what it is asked to do, or for what is not done
        "ada ular masuk dapur rumah, terima kasih damkar",
        "sarang tawon di plafon SD belum diambil, makasih damkar",
        # one's own report asked about, then news that it got worse; the bot misrouted it
        "laporan sy minggu lalu soal jalan amblas gimana? skrg lubangnya makin lebar",
        "Bagaimana kelanjutan laporan saya soal sampah di TPS Ngronggo? Sekarang sudah meluber"
        " sampai ke jalan",
        "laporan sampah saya kok malah dikirim bot ke dinas pendidikan?",
        # someone by name or by title told of trouble: a report to them through Lapor
        "Pak Lurah, jalan depan rumah rusak tolong diperbaiki",
        "Mas Budi, lampu jalan gang 3 mati sejak kemarin",
        # news of a fix that goes on to trouble, asks for one or expects one
        "jalan Semampir sudah diaspal sekarang bergelombang",
        "lampu PJU Gang Mawar sudah nyala siang hari terus",
        "dahan pohon depan SD sudah rimbun nutup rambu, perlu dipangkas",
        "bansos kami belum masuk padahal tetangga sudah cair",
        # the boss told of, not called
        "bos saya nahan ijazah asli, gak mau dikembalikan kalau saya resign",
        # an opinion that tells of trouble complains
        "menurut saya jalan di Mojoroto paling rusak se-Kediri, lubangnya di mana-mana",
        # a factory closed for good asks no office hours
        "sudah setahun saya nganggur sejak pabrik tutup, ada info kerja dari pemkot gak?",
        # an errand word beside someone in trouble
        "anak saya kekunci di mobil, kuncinya ketinggalan di dalam, tolong",
        "lapak pasar dibagikan ke orang yang bukan pedagang",
        # a request for a service told at length, with "buka" (open a business) in it
        "Saya ingin buka usaha katering rumahan dan perlu izin usaha, apakah harus lewat OSS"
        " atau datang ke kantor dinas dulu? Tetangga saya dulu mengurusnya lama sekali, jadi"
        " saya ingin yang resmi sejak awal.",
        # told to someone else before, who did nothing: the complaint is still to be made
        "anak sy dipalak kakak kelas tiap hari, udh lapor wali kelas gk ditanggapi",
        # a complaint told as a joke names where it is
        "lampu jalan gang 7 mati terus, gelapnya kayak masa depanku wkwk",
        "wkwk sampah di TPS Bujel udah kayak gunung, baunya sampe rumah",
    ],
)
def test_questions_and_situations_with_a_problem_are_complaints(router: Router, text: str) -> None:
    assert router.route(text).small_talk == ()


def test_a_long_story_that_names_promotion_words_once_is_no_spam(router: Router) -> None:
    """A trader's request for a licence mentions resellers and registering; an advert is short
    and dense with such words."""
    text = (
        "Selamat sore, saya punya usaha keripik tempe di rumah, sudah dua tahun. Sekarang ada"
        " beberapa reseller dari luar kota yang mau ambil rutin, tapi minta saya punya NIB dulu."
        " Saya sudah coba daftar sendiri di OSS tapi bingung memilih kode usahanya dan selalu"
        " gagal di akhir. Apakah ada petugas yang bisa mendampingi di kantor perizinan?"
    )
    result = router.route(text)
    assert result.small_talk == ()
    assert result.opd == "DPMPTSP"


@pytest.mark.parametrize(
    "text",
    [
        # one's own report asked about, told at length or in Javanese
        "min laporanku minggu lalu soal got mampet di gang 2 Semampir udah diproses belum? kok"
        " sepi kabar",
        "wingi aku wis lapor dalan bolong nang Ngronggo, wis ditindak durung yo?",
        "nomer tiket 2231 belum ada balesan, sudah lima hari",
        # a withdrawal names what it takes back
        "nggak jadi pak, pipanya ternyata sudah dibetulkan tukang sendiri",
        "laporan soal PKL tadi ga usah diproses ya, sudah pindah sendiri",
        # a chain asks its readers to pass it on
        "besok air PDAM mati total seminggu, siapkan tandon! teruskan ke grup keluarga",
        # an errand for home, an introduction, though a topic is named
        "dek nanti beliin elpiji 3 kg satu ya di warung bu tini",
        "perkenalkan saya Sumi, pedagang sayur di Pasar Pahing, salam kenal min",
        # a fix told, with the problem said to be gone
        "makasih min, selokan depan rumah sudah dikeruk, sekarang nggak meluap lagi",
        "thank you, the street light near my house has been repaired",
        # a ticket number, a withdrawal that says why, a chain by how it starts, a masked
        # number to call, an errand in Javanese
        "tiket 4410 gimana min? udah seminggu nunggu kabar soal got mampet",
        "Mohon maaf, pesan saya soal jalan rusak di Ngampel tadi tolong diabaikan saja, setelah"
        " tanya Pak Lurah ternyata perbaikannya sudah dijadwalkan minggu depan.",
        "Pesan berantai: air PDAM tercemar bakteri, jangan diminum seminggu. Sebarkan!",
        "SEDOT WC 24 JAM melayani seluruh Kota Kediri, harga bersahabat, WA 0813xxxx",
        # an advert without a number: three selling words and no trouble
        "Jual pulsa dan token listrik murah, bisa bayar BPJS juga. Konter Bu Sri depan SD Ngronggo",
        "le, engko tukokno gas melon siji nang warung yo",
        # gone by itself, not needed any more, an introduction, a long question for a contact
        "tadi mau lapor air mati di Bujel, barusan udah ngalir lagi sendiri. gak jd ya min",
        "lampu jalan depan rumah sudah menyala lagi, jadi tidak perlu ditindaklanjuti",
        "Hi, I'm Tom, a new English teacher at a school in Mojoroto, just introducing myself",
        "Nomor WhatsApp resmi Damkar Kota Kediri berapa ya? Mau saya simpan di HP bapak saya"
        " yang tinggal sendiri, buat jaga-jaga saja",
        # a yes-or-no ending the clause a "bisa" opened, then chat
        "bot ini bisa ngerti bahasa jawa ga? simbah pengen nyoba ngetik",
        # a message that opens by calling a relative or a boss
        "Bos, mobil boks kejebak macet nang Semampir, telat setengah jam yo",
        "Mah, aku nginep di rumah Rina dulu, listrik kos lagi padam, besok pagi pulang",
        # a wish or an opinion that asks nothing and tells of no trouble
        "Selamat tahun baru untuk bapak ibu petugas PDAM yang jaga malam",
        "menurut saya taman-taman di Kediri sekarang makin cantik",
        # "no longer" in Javanese and chat spelling
        "suwun lur, dalan nang Gayam sing bolong kae wis diaspal, saiki ra njeglong meneh",
        "makasih min, got depan rumah udah dikeruk tadi siang, ga mampet lg",
        # an announcement forwarded here: an event on a day that invites or says what to bring
        "📢 Vaksinasi gratis di Puskesmas Campurejo hari Sabtu jam 8, bawa KTP dan KK",
        "Senam lansia di balai RW 2 Pakunden tiap Minggu pagi, monggo yang sepuh-sepuh datang",
        # a resident saying who they are by name, and nothing more
        "Halo kak, aku Ratri, mahasiswi baru di kampus Mojoroto, kos dekat puskesmas 😊",
        # a thanks in krama
        "Kula ngaturaken agenging panuwun dhumateng Dinas Sosial, bapak kula sampun nampi"
        " kartu bantuan",
        # a thanks to an office by name for something done; a relative called
        "paket sembako dari kelurahan sudah sampai rumah mbah, matur nuwun dinsos 🙏",
        "Dek, ibu nanti pulang telat, ada rapat PKK soal posyandu di kelurahan",
        # one's own report by its reference, in English, or with the agency between
        "KDR-26-004417 soal lampu PJU mati udah ada tindak lanjut belum?",
        "laporan PLN saya yang kemarin kok belum ada kabarnya?",
        # at length, and without a question mark
        "Selamat siang, aduan saya minggu lalu tentang lapak yang menutup trotoar di depan"
        " Pasar Pahing kira-kira kapan ada tanggapan ya? Saya hanya ingin tahu prosesnya",
        "mau tanya laporan saya soal KK yang salah ketik kemarin sudah diproses apa belum ya",
        # a request to a relative or to someone by name, with no trouble in it
        "Nduk, bapak minta dijemput di puskesmas jam 11 ya",
        "Pak Harno, iuran sampah bulan Juni sudah saya bayar lewat transfer, tolong dicek ya",
        # a "not" in a purpose only ("so that I don't come in vain")
        "Puskesmas Sukorame tutup jam berapa hari Jumat? supaya saya tidak datang kesorean",
        # round 12: a greeting and where it comes from, a notice, an opinion "honestly"
        "selamat pagi min dari lapak sayur Pasar Bandar",
        "Diberitahukan kepada warga RW 3, imunisasi balita dipindah ke balai RW tanggal 20.",
        "Jujur, taman kota sekarang jauh lebih bersih daripada dulu.",
        # whether an office opens on a day, asked with "not" ending the clause
        "puskesmas Mrican buka hari minggu nggak ya? jam brp tutupnya",
        # a fix told in English
        "thanks a lot, the street light in our alley is working again",
        # thanks to an office by the name residents call it
        "akta anakku wis dadi, jenenge wis bener. suwun capil 🙏",
        # one's own report, in chat abbreviations
        "sy kmrn udh lapor soal lampu jalan gang 2, kok blm ada balesan ya min?",
        # a joke about the city, nowhere in particular
        "antre di kantor pelayanan itu latihan sabar paling ampuh 🤣",
        # news of a fix, with no thanks: the fix ends it
        "air PDAM di Banaran udah ngalir lagi kak",
        "sampah di depan SD sudah diangkut",
        # a long thanks that tells the story of the fix
        "Selamat pagi. Saluran depan rumah kami di Tamanan dulu mampet berbulan-bulan, tiap"
        " hujan air masuk teras. Hari Sabtu petugas datang dan saluran sudah dikeruk bersih."
        " Terima kasih banyak untuk semua petugasnya.",
        # round 13: an event on a day, held or opened as news; a chain by where it came from
        "Karang taruna RW 7 Bangsal menggelar lomba mancing hari Minggu pagi di kolam desa",
        "Info dari pengurus masjid: pengajian akbar Jumat malam, parkir motor di halaman GOR",
        "Mulai bulan depan KK lama tidak berlaku, segera urus di kelurahan!! (copas dari grup"
        " sebelah)",
        # gone by itself or seen to by the residents, nothing needed; a withdrawal and why
        "ular yang di gudang tadi sudah pergi sendiri, nggak perlu dikirim petugas",
        "sampah di gang buntu sudah diangkut warga sendiri pakai gerobak",
        "aduan air mati tadi mohon dibatalkan, ternyata meteran rumah saya sendiri yang ditutup",
        # who one is in English, a first time on Lapor, a hope for the city to thrive
        "Hi, I'm Yohana, I just moved to Kediri and rent a house near Pasar Setono Betek",
        "Aku sopir angkot jurusan Tamanan, baru pertama pakai Lapor iki",
        "Semoga Pasar Pahing makin ramai pembeli dan dagangan pedagang laris",
        # thanks abbreviated, "lagi" of the fix
        "tks PDAM, air sudah ngalir deres lagi sejak subuh, bisa nyuci lagi",
        # a withdrawal of a request, written as one word, or with the fix after the problem
        "gak jadi minta fogging min, anak saya ternyata cuma tifus",
        "gajadi lapor min, pipa PDAM nya sudah dibetulin tukang",
        "ga jadi lapor pohon tumbang, sudah dipotong warga sama Babinsa",
        # an advert: a strong word and selling words; a market's name is no gambling den
        "jual ruko kavling murah pinggir jalan raya Ngasem",
        "Gabung reseller kami, untung jutaan per bulan! Sudah banyak pedagang Pasar Bandar ikut",
        # a joke said to be one, places and all; the bot tried on a topic word
        "Pantun min: beli gethuk di Pasar Bandar, pulangnya naik becak, air PDAM mati sebentar,"
        " mandinya nunggu hujan turun 🤣",
        "tes sampah",
        # a notice that says what to bring, asking it politely; an advert for a permit service
        "Pengumuman: imunisasi campak di balai RW 5 Bangsal hari Rabu jam 8. Mohon membawa buku"
        " KIA dan KK",
        "Jasa urus IMB PBG cepat, harga nego, DM aja",
        # an office thanked by name at the start for what it did
        "Terima kasih Disdik, seragam gratis buat anak saya sudah dibagikan di sekolah kemarin",
        # a memory told for its own sake
        "Dulu tahun 2000an Pasar Setono Betek sering kebakaran kecil, bapak saya pedagang kain di"
        " sana, tiap malam jaga bergantian. Kenangan masa kecil",
        "Jaman aku SD, sungai Brantas masih bening, kami mandi di kali tiap sore",
        # Javanese "tak" is "I": an errand for home, a goodnight
        "Mas, duit PDAM wis tak transfer, engko mampir bayar nang loket ya",
        "Yo wis, tak turu sik, sesuk esuk ngeterke simbah nang pasar",
        # office hours asked in English, on a holiday
        "Is the Disdukcapil office open on Saturday? I need to pick up my KTP",
        # whether a report keeps one's name secret, a street asked for
        "kalau lapor lewat sini identitas pelapor dirahasiakan nggak? saya takut ketahuan",
        "Alamat kantor Disdik di mana ya, Jl. apa?",
    ],
)
def test_small_talk_that_names_a_problem_it_does_not_report(router: Router, text: str) -> None:
    result = router.route(text)
    assert result.opd is None
    assert result.small_talk


def test_every_tag_is_one_of_the_fixed_set(router: Router) -> None:
    texts = ["halo", "p", "makasih", "mau lapor", "bye", "jam buka?", "wkwk", "promo slot gacor"]
    for text in texts:
        assert set(router.route(text).small_talk) <= set(smalltalk.TAGS)


def test_a_long_question_is_no_chat(router: Router) -> None:
    """A question that tells of something is a report the router may not place (triage reads
    it), never small talk that the dialog would answer with "what is the problem?"."""
    text = (
        "kenapa ya pak bangunan gudang baru di sebelah kampung kok bisa berdiri padahal warga"
        " keberatan"
    )
    assert router.route(text).complaint
    assert router.route("kamu lagi ngapain min?").small_talk


@pytest.mark.parametrize("text", ["bagi nomor wa dinsos dong", "minta kontak cs pdam"])
def test_asking_for_a_way_to_reach_an_office_is_a_question(router: Router, text: str) -> None:
    result = router.route(text)
    assert result.opd is None
    assert "question" in result.small_talk


def test_an_errand_meant_for_home_is_small_talk_unless_it_names_a_problem(router: Router) -> None:
    """A message sent here instead of to the family routes nowhere; "tolong jemput" about
    someone the city cares for stays a report."""
    errand = router.route("bu nanti tolong beliin tempe sama kerupuk ya, aku pulang malam")
    assert errand.opd is None
    assert errand.small_talk
    assert router.route("tolong jemput ODGJ yang ngamuk di pasar").complaint


@pytest.mark.parametrize(
    "text", ["lapor lewat bot ini mbayar nggak min?", "Lapor nang kene bayar ora? kuotaku entek"]
)
def test_whether_reporting_costs_is_a_question_about_lapor(router: Router, text: str) -> None:
    """Not a wish to report ("lapor" opens reports): the answer says Lapor is free."""
    result = router.route(text)
    assert result.opd is None and not result.candidates
    assert result.small_talk == ("question",)


@pytest.mark.parametrize(
    "text",
    [
        "udah dulu ya min, mau ke pasar Pahing belanja buat warung. sampai jumpa",
        "Sudah dulu nggih, mau antar ibu kontrol ke puskesmas. Wassalam",
    ],
)
def test_a_goodbye_on_the_way_somewhere_is_a_goodbye(router: Router, text: str) -> None:
    """Where the resident is off to is no report: the answer says goodbye, it asks nothing."""
    result = router.route(text)
    assert result.opd is None and not result.candidates
    assert "farewell" in result.small_talk and "opener" not in result.small_talk
