"""Word lists that bring residents' spelling to the catalog's: chat slang, Javanese, place names.

Kept as Python data rather than YAML so it ships inside the package and costs no parse at start-up.
Each mapping is `written form -> standard Indonesian` (several words allowed, space-separated).
Only content words that decide routing, and the function words that negation and phrase gaps
rely on, are worth an entry; an unlisted word is still matched as written or fuzzily.
"""

from __future__ import annotations

from typing import Final


def _table(text: str) -> dict[str, str]:
    """Read `a b c = target` lines: each of a, b, c becomes target."""
    table: dict[str, str] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        sources, _, target = line.partition("=")
        for source in sources.split():
            table[source] = target.strip()
    return table


# Indonesian chat abbreviations, slang and frequent misspellings.
SLANG: Final[dict[str, str]] = _table("""
yg yng = yang
dinikahin dinikahi = dinikahkan
gk gak ga gx g nggak ngga enggak engga ndak nda tdk tak kagak gag = tidak
bgt bngt bgd bangett = banget
jl jln jaln jalanan = jalan
gg = gang
dpn dpan = depan
blkg blakang = belakang
dkt deket dket = dekat
sblh sebelahe = sebelah
smpg = samping
prapatan prempatan perempatannya = perempatan
tp tpi = tapi
sm ama ma = sama
dr dri = dari
utk utuk = untuk
krn krna karna karena = karena
udh udah sdh dah uda sudh = sudah
blm blom belom = belum
lg lgi = lagi
trs trus = terus
msh masi = masih
bbrp = beberapa
byk bnyk bnyak = banyak
org orng = orang
skrg skrng = sekarang
kmrn kmaren kemaren = kemarin
td = tadi
tlg tolonk = tolong
mhn = mohon
gmn gimana gmna = bagaimana
knp = kenapa
kyk kayak kek kayaknya kyknya = seperti
aja = saja
cm cuman = cuma
sy aku gw gue ane sya = saya
ortu = orang tua
rmh = rumah
sklh skolah = sekolah
ujan ujn = hujan
dgn = dengan
pdhl pdahal = padahal
jg = juga
bln = bulan
thn taun = tahun
mlm malem = malam
pgi = pagi
ilang = hilang
dateng dtg = datang
cepet cpt = cepat
mabok = mabuk
mencret = diare
mrh mrah = merah
butek = keruh
nyengat = menyengat
benerin benerinnya = perbaiki
dianiaya = aniaya
ribet = rumit
pake dipake = pakai
gede gedhe = besar
kenceng = kencang
item = hitam
brisik = berisik
nyala urip murup = menyala
konslet konsleting korslet = korsleting
ngelupas ngelotok mengelupas terkelupas = kelupas
ngebul = berasap
dobel = ganda
bocor2 = bocor
ambles amblas = amblas
ambrol ambrul = ambruk
rubuh = roboh
pecah2 = pecah
mampat = mampet
kecium = tercium
nyetrum kesetrum nyetrom = setrum
ngantri = antri
tipu ketipu ditipu = tipu
ngaku ngakune = mengaku
kekunci kekonci = terkunci
nyangkut kecantol nyantol = tersangkut
ungsiin ngungsi = mengungsi
pungutan = pungli
semrawut = semrawut
kebanjiran = banjir
ledeng = leding
hp = ponsel
wa = whatsapp
pemkab = pemkot
rsk rusk = rusak
keberatan = keberatan  # an objection, not "berat" as in "kendaraan berat"
ancur ancurr = hancur
lobang = lubang
bopeng = berlubang
idup = hidup
cabe = cabai
edan sinting = gila
ngamuk = mengamuk
ngalangi ngalangin ngehalangin halangin = menghalangi
""")

# Javanese (ngoko and krama) words residents of Kediri mix in, mapped to Indonesian.
JAVANESE: Final[dict[str, str]] = _table("""
dalan ratan margi = jalan
omah griya = rumah
banyu toya = air
kali = sungai
kalen = selokan
peteng = gelap
bengi dalu = malam
esuk enjing = pagi
wingi = kemarin
sesuk benjing mbenjing mbenjang = besok
saiki sakniki = sekarang
garing asat = kering
ketigo katiga = kemarau
wis sampun = sudah
durung dereng = belum
ora mboten boten = tidak
ana wonten enten onok = ada
akeh kathah = banyak
ageng = besar
cilik alit = kecil
ajur remuk = hancur
bolong = lubang
jeglongan jeglong kejeglong njeglong kejeblos jeblos growong growongan = lubang
urup = menyala
pawon = dapur
kleleb keleleb = tenggelam
tangga tonggo = tetangga
bocah lare = anak
bakul penjual = pedagang
sade dodol adol = jual
tuku = beli
duwit arta = uang
pajeg = pajak
lemah siti = tanah
wit uwit = pohon
# the trees that shade Kediri's streets, named by their kind ("trembesi rubuh")
trembesi beringin mahoni randu ketapang angsana glodokan flamboyan kersen sengon akasia = pohon
cemara palem tabebuya bungur asem asam ringin = pohon
ketimpa kejatuhan = tertimpa
nimpa niban = menimpa
kacilakan kecilakan = kecelakaan
tanggel = tanggung
sade = jual
pang epang = dahan
godhong = daun
rungkut = rimbun
gendheng = genteng
payon = atap
udan jawah = hujan
abang abrit = merah
mbleber mluber luber = meluap
mili mlampah_banyu = mengalir
buthek butheg = keruh
mambu ambu = bau
bosok = busuk
uwuh = sampah
kobong kobongan = terbakar
geni latu = api
kebak = penuh
resik = bersih
didandani dandosi ndandani dandani = perbaiki
ula ulo = ular
kethek munyuk = monyet
pitik = ayam
kewan = hewan
digondol nyolong colong = curi
mendem = mabuk
ciu arak = miras
banter = keras
turu = tidur
nyuwun memohon = mohon
tulung = tolong
pirsa priksa = tanya
kula kulo = saya
sanget temen pol = sangat
niki iki = ini
niku kuwi iku = itu
ingkang sing = yang
lan kaliyan = dan
saking seka soko saka = dari
nang neng teng ing dhateng menyang = di
kangge kanggo nggo = untuk
mawon kemawon wae ae = saja
disik dhisik disek riyin rumiyin = dulu
mengko engko mangke = nanti
dinikahke dinikahne dinikahaken = dinikahkan
nanging = tapi
pareng = permisi
kecemplung nyemplung kejegur kejeblos = tercebur
kepulan = asap
aer = air
pripun piye kepiye = bagaimana
sinten = siapa
pinten pira = berapa
menapa punapa = apa
bikak bukak = buka
menika punika = ini
saged iso isa = bisa
badhe arep = akan
tiyang wong = orang
sepuh = tua
simbah mbah = nenek
putra = anak
garwa bojo = suami
rabi = nikah
seda = meninggal
lair = lahir
peken = pasar
rega regane = harga
awis larang = mahal
angel = susah
golek = cari
sinau = belajar
lara gerah = sakit
mriyang = demam
mantri = perawat
mlaku mlampah = jalan
tiba = jatuh
kepleset = terpeleset
lunyu = licin
nyetel = putar
tekan dumugi = sampai
teka rawuh = datang
kersa = berkenan
suket = rumput
inggil = tinggi
saben = setiap
mung thok namung = hanya
padha sami = sama
kabeh sedaya = semua
mancur = muncrat
nibani = menimpa
mabur = terbang
pejah = mati
metu medal = keluar
ngembeng kembeng nggenang = menggenang
nggronjal gronjal gronjalan = bergelombang
risak awon = rusak
jugrug = longsor
buntet = buntu
bacin banger badheg = busuk
bangke = bangkai
gelut gelutan = berkelahi
lirih = kecil
gendeng = gila
ambleg = amblas
mbledos njeblug = meledak
buwang guwak nguwak ngguwak = buang
reged = kotor
tlethong = kotoran
pasarean sarean = makam
sawer = ular
mlebet = masuk
rebah = tumbang
gebuk gebuki nggebuk nggebuki gebukin antem ngantem ngantemi kepruk ngepruk = memukul
digebuk digebuki diantem diantemi dikepruk = dipukul
kijing = nisan
lombok = cabai
endog = telur
brambang = bawang
sasi wulan = bulan
dina = hari
kirang = kurang
ical = hilang
ngopeni = merawat
piyambakan = sendirian
gesang = hidup
pitulungan = pertolongan
mbludag = meluap
lepen = sungai
ajrih = takut
pendhet = ambil
nggantos = ganti
damel = buat
ngajeng = depan
dhawah = jatuh
kreteg = jembatan
kajeng = kayu
pedhot = putus
nipu = tipu
lumantar = lewat
ngaken = mengaku
""")

# Small English words the catalog's Indonesian phrases also answer to (English phrases with
# their own word order live in the catalog itself).
ENGLISH: Final[dict[str, str]] = _table("""
rubbish garbage trash = sampah
pothole potholes hole holes = lubang
smell smells stink stinks smelly = bau
snake snakes = ular
flood floods flooded flooding = banjir
landslide landslides = longsor
leak leaks leaking leaky = bocor
steal steals stole = curi
burst = pecah
tree trees = pohon
scammed scammer = penipu
hacked = diretas
diploma diplomas = ijazah
company = perusahaan
fell fallen = tumbang
truck trucks lorry = truk
""")

# Common English words, so that "money" is never read as a typo of "monkey".
ENGLISH_COMMON: Final[frozenset[str]] = frozenset(
    """
    a about above across after again against all almost also always am an and any are around
    as at away back bad be because been before behind being below between big both but by
    came can cannot come could day days did do does doing done down during each early even
    ever every few for from front full get gets getting give given gives go goes going gone
    good got had half has have having he her here him his home hour hours house how however
    i if in into is it its just keep kept know last late left less like little long look
    made make many may me might money month months more most much must my near need needs
    never new next night no nobody none nor not nothing now of off often old on once one only
    or other our out over own people place please put quite rather really right said same
    saw say says see seems seen several she should since so some someone something still
    such take taken tell than that the their them then there these they thing things this
    those though through time times to today told too took under until up upon us very was
    way we week weeks well went were what when where which while who whole why will with
    without would year years yesterday yet you your actually already another anyone anything
    city official receipt reach bill adds every stay dark whole road nearly last fix hurt
    someone broken since wrong still stuck asked called call calling waiting wait answer
    one two three four five six seven eight nine ten hundred hundreds thousand pay paid paying
    stock piles pile lot lots area block tell told ping test testing check hello""".split()
)

# Words too common in any complaint to learn an agency from ("warga", "tolong", "sudah").
STOPWORDS: Final[frozenset[str]] = frozenset(
    """
    yang dan atau di ke dari ada tidak sudah belum sangat banget tolong mohon sama juga karena
    untuk dengan ini itu saya kami kita kamu anda warga pak bu ibu bapak mas mbak min admin
    kok sih dong deh lah ya lagi terus masih bisa mau akan sejak sampai hari bulan minggu tahun
    jam pagi siang sore malam kemarin sekarang tadi tiap setiap semua banyak sering kali rumah
    jalan kelurahan kecamatan kota kediri gang depan dekat belakang samping sebelah seperti
    saja hanya cuma tapi tetapi namun padahal kalau kalo jika apa bagaimana kenapa kapan siapa
    mana dimana sini situ sana tersebut para oleh pada dalam atas bawah luar baru lama sekali
    orang tetangga lingkungan kampung dinas pemkot pemerintah terima kasih selamat mohon izin
    melaporkan laporan lapor menyampaikan sampaikan harap berharap segera perhatian tindak
    lanjut terkait adanya sudah nya pernah jadi buat bikin kasih minta dapat tahu gimana
    ning nanging
    """.split()
)

# Place names of Kota Kediri: never corrected towards a catalog word (Tamanan is not taman,
# Banjaran is not banjir) and never stemmed.
PLACES: Final[frozenset[str]] = frozenset(
    """
    balowerti banjaran dandangan jagalan kaliombo kemasan manisrenggo ngadirejo ngronggo
    pakelan pocanan rejomulyo ringinanom semampir setonogedong setonopande bandar kidul lor
    banjarmlati bujel campurejo dermo gayam lirboyo mojoroto mrican ngampel pojok sukorame
    tamanan bangsal banaran betet blabak bawang burengan jamsaren ketami pakunden pesantren
    singonegaran tempurejo tinalan tosaren ngletih tembokrejo dhoho brawijaya hayam wuruk
    joyoboyo kilisuci mastrip erlangga semeru kawi penanggungan veteran pattimura sudanco
    supriadi bismo sumoharjo sutoyo letjen soekarno hatta yani sudirman bonjol
    diponegoro sekartaji setonobetek setono betek pahing selomangleng klotok jayabaya kediri brantas
    """.split()
)

# Words that end a negation: "bukan lampu merah", "not a blackout", "dudu kobongan".
NEGATORS: Final[frozenset[str]] = frozenset({"bukan", "dudu", "not", "non", "isnt", "wasnt"})

# Words that mark a phrase as a place rather than the subject: "pengemis di lampu merah",
# "sampah dekat pasar". The phrase still counts, for less.
LOCATIVES: Final[frozenset[str]] = frozenset(
    """
    depan dekat sebelah samping belakang seberang sekitar perempatan pertigaan simpang
    persimpangan kawasan halaman near outside behind arah menuju pinggir sepanjang
    """.split()
)

# Words that make the next phrase a risk rather than an event: "rawan begal" in a request
# for street lights. Counted like a place.
RISK_MARKERS: Final[frozenset[str]] = frozenset({"rawan", "prone"})

# Words after a phrase that say its thing is fine: "lampu jalan aman", "listrik normal",
# "listrik rumah sudah menyala" (but not "menyala mati menyala mati": that is flickering).
FINE_STATES: Final[frozenset[str]] = frozenset({"aman", "normal", "lancar", "menyala", "hidup"})
NOT_FINE_AFTER: Final[frozenset[str]] = frozenset(
    {"mati", "padam", "kedip", "berkedip", "siang", "terus", "seharian", "sepanjang"}
)  # "PJU menyala siang", "nyala terus": wasting power is a complaint too

# Idioms whose words would mislead: "siang bolong" is broad daylight, not a hole. Javanese
# "tak" before a verb is "I" ("duite wis tak transfer", "tak turu sik"), not Indonesian "not".
IDIOMS: Final[dict[str, str]] = {
    "siang bolong": "siang",
    "panjang tangan": "pencuri",
    **{
        f"tak {verb}": f"aku {verb}"
        for verb in "transfer tuku deleh jupuk terne enteni turu kabari telpon".split()
    },
}

# A street's name is not the place it names: "Jl. Pasar Baru", "Gg. Makam", "Jalan Taman".
# After one of STREET_WORDS, a phrase starting with one of NAME_NOUNS counts like a place.
STREET_WORDS: Final[frozenset[str]] = frozenset({"jalan", "gang", "perumahan", "perum"})
NAME_NOUNS: Final[frozenset[str]] = frozenset(
    "pasar taman makam pemakaman sekolah stasiun terminal pabrik kebun masjid".split()
)

# Abbreviations that end in a full stop without ending a sentence ("Jl. Dhoho").
ABBREVIATIONS: Final[frozenset[str]] = frozenset(
    "jl jln gg no rt rw kel kec dr dll dsb yth bpk ibu pak bu sdr st mr mrs dkk kab".split()
)


# Emoji that name the problem ("🚦 mati", "🔥🔥 di gudang"): read as words before emoji are
# dropped. Only those that point to one thing; faces and hands carry no agency.
EMOJI_WORDS: Final[dict[str, str]] = {
    "🚦": "lampu lalu lintas", "🚥": "lampu lalu lintas", "🔥": "api", "🐍": "ular",
    "🌊": "banjir", "⚡": "listrik", "💡": "lampu", "🗑": "sampah", "🚮": "sampah",
    "🚰": "air", "🐝": "tawon", "🦟": "nyamuk", "🌳": "pohon", "🌲": "pohon", "🏍": "motor",
    "🚗": "mobil", "💧": "air", "🚧": "jalan rusak", "🕳": "lubang", "🐒": "monyet",
}  # fmt: skip


def lexicon() -> dict[str, str]:
    """All mappings, later tables winning: Javanese over slang where a form is in both."""
    merged: dict[str, str] = {}
    merged.update(SLANG)
    merged.update(JAVANESE)
    merged.update(ENGLISH)
    return merged


# Two problems in one message, the main one said: "X memang ..., tapi yang paling ... Y",
# "selain X, Y" (routing.matcher._main_from).
CONTRASTS: Final = frozenset("tapi tetapi namun but nanging ning cuma hanya".split())
EMPHASIS: Final = frozenset(
    """
    paling utama utamanya terpenting penting mendesak darurat gawat intinya inti pokok urgent
    main most worst bahaya berbahaya parah
    """.split()
)
# Words that only rank two problems, not what either is about: the learned layer never reads
# them (routing.matcher._model_words).
RANKING: Final = frozenset(
    "paling utama utamanya terpenting penting intinya inti pokok prioritas".split()
)
# "..., tapi yang saya keluhkan X": the thing complained of, said after "yang" (not "tapi sudah
# lapor ke RT", where "lapor" tells what was done).
MAIN_VERBS: Final = frozenset(
    "lapor keluhkan keluh adu sampaikan maksud khawatirkan takutkan cemaskan risaukan".split()
)  # "tapi yang lebih saya khawatirkan ...": what the resident worries about most
BESIDES: Final = frozenset("selain besides kejaba kajaba".split())
# "Kalau harus pilih satu, air dulu": what the resident would choose follows the choosing.
CHOOSING: Final = frozenset("pilih milih memilih choose".split())
CHOOSING_IF: Final = frozenset("kalau kalo klo seandainya andai harus disuruh suruh if".split())
# "Tolong kabel itu dulu": a request for one thing first names the problem that matters most.
REQUESTS: Final = frozenset("tolong mohon please nyuwun minta kersa berkenan".split())
FIRST: Final = frozenset("dulu duluan dahulu disik dhisik riyin rumiyin first".split())
# Words that list one thing after another ("KTP hilang dan PBB belum bayar").
CONJUNCTIONS: Final = frozenset("dan serta lan and plus terus trus".split())
# "..., tapi itu bisa nanti", "sampah juga belum diangkut tapi nggak urgent": the resident puts
# the problem of this clause off; the other one matters more. Written as residents write them:
# the router analyses them as it does messages.
DEFERRALS: Final = tuple(
    phrase.strip()
    for phrase in """
    bisa nanti|nanti saja|nanti nanti|urusan nanti|urusan belakangan|belakangan|kapan kapan|
    bisa ditunda|gak urgent|gak mendesak|gak penting|gak terlalu penting|gak begitu penting|
    gak seberapa penting|ora patek penting|ora patiya penting|gak usah buru buru|gak darurat|
    not urgent|can wait|gampang nanti|urusan lain|lain cerita|cerita lain|urus sendiri|
    tanyakan terpisah|menyusul|nggak masalah|urusan kantor|urusan pemerintah|biar diurus|
    itu sudah lama|biarin dulu|biarkan dulu|biar dulu|biarin saja|biar saja|biarkan saja|
    itu biar saya|ya sudahlah|sudahlah|biarlah|lain kali|makanya lewat sini|
    makanya lapor sini|makanya lapor di sini|
    makanya lapor ke sini|jadi lapor sini|jadi lapor di sini|itu sudah biasa|sudah biasa lah|
    tapi gapapa|tapi tidak apa apa|tapi nggak papa|nomor dua|saya tahan|masih bisa ditahan|
    masih bisa ditoleransi|nanti saya urus|nanti urus|nanti saya tanya|nanti saya tanyakan|
    nanti saya cek|nanti saya lapor|nanti lapor|nanti saya laporkan|urusan belakang|
    urusan mburi|sampingan|belakangan aja|belakangan saja|nanti aja|masalah kecil|soal kecil|
    urusan kecil|hal kecil|perkara kecil|masalah sepele|soal sepele|hal sepele|itu kecil|
    itu sepele|masih bisa ditawar|masih bisa dimaklumi|masih bisa ditolerir|masih wajar
    """.split("|")
    if phrase.strip()
)
# What residents call offices besides their codes ("suwun capil", "makasih kominfo").
OFFICE_NICKNAMES: Final = frozenset(
    "capil dukcapil kominfo satpol damkar dinkes puskesmas dinsos dishub pln pdam polisi"
    " polres pemkot disdik disnaker perkim bapenda tirta".split()
)
# Words whose reduplication means something else than the word once: "minta-minta" begs,
# "minta" asks.
REDUPLICATED_SENSES: Final = {"minta": "mengemis", "meminta": "mengemis"}
# The punctuation a resident says aloud, which voice typing writes as words.
SPOKEN_BREAKS: Final = frozenset("titik koma".split())
# "NIK bisa saya cek ke Capil nanti, tapi ...": "later" ending a clause puts it off too.
LATER: Final = frozenset("nanti later".split())
# "..., sekalian mau tanya ...", "oh iya, satu lagi ...": what follows is added in passing.
# "Habis itu kalau sempat, ...": what follows is asked for only if there is time.
ADD_ONS: Final = tuple(
    "sekalian|oh iya|oh ya|o iya|oiya|ohiya|btw|by the way|satu lagi|kalau sempat|kalo sempat|"
    "kalau ada waktu".split("|")
)
# What a clause that puts a problem off may hold besides the deferral, pointing back to the
# clause before ("..., tapi itu bisa nanti", "kalau soal itu belakangan saja").
BACK_REFERENCES: Final = frozenset(
    "itu ini yang tersebut masalah soal kalau kalo sing iku kuwi".split()
)
# "yang lebih mendesak ...", "itu yang paling bahaya": what comes before a word of EMPHASIS
# when a resident ranks two problems.
COMPARATIVES: Final = frozenset("yang lebih luwih more".split())
POINTERS: Final = frozenset("itu ini tersebut iku kuwi that this".split())
# "itu jauh lebih bahaya": words that only strengthen a comparison, pointing back all the same.
INTENSIFIERS: Final = frozenset("jauh justru malah much far way".split())
# "X jauh lebih bahaya daripada Y": Y is the lesser problem.
THAN: Final = frozenset("daripada drpd dibanding dibandingkan timbang tinimbang than".split())
# "belakangan ini" is "lately", not "later".
LATELY_AFTER: Final = frozenset("ini iki".split())
# "sarang tawon sudah diambil damkar, terima kasih": a problem told as settled is no request.
SETTLED: Final = tuple(
    phrase.strip()
    for phrase in """
    sudah ditangani|sudah diambil|sudah dibersihkan|sudah disingkirkan|sudah beres|sudah surut|
    sudah selesai|sudah diperbaiki|sudah nyala|sudah datang|sudah teratasi|sudah dibetulkan|
    sudah dibenahi|sudah diganti|sudah ditambal|sudah diangkut|sudah difogging|sudah dijemput|
    sudah ditangkap|sudah dipangkas|sudah normal|sudah lancar|sudah mengalir|sudah cair|
    sudah dikerjakan|sudah ditindak|sudah dievakuasi|sudah lapor|sudah dilaporkan|
    sudah saya laporkan|sudah saya lapor|sudah kami laporkan|sudah kami lapor|sudah diurus|
    sudah sembuh|sudah ada lagi
    """.split("|")
    if phrase.strip()
)
# A thanks in a clause of its own settles that clause only: a closing "Matur nuwun" after
# "Nyuwun tulung dipun dandosi" puts nothing aside, "..., sudah diambil, terima kasih" does.
THANKS: Final = ("terima kasih", "makasih", "matur nuwun")
# After a settled problem: it is back ("sudah diperbaiki tapi masih bocor").
STILL: Final = frozenset("belum masih tetap lagi kambuh tapi tetapi namun but".split())
# "Yang saya butuhkan ...", "Yang mau saya sampaikan ...": at a clause's start, the thing asked
# for or told is the main problem (analysed forms: "sampaikan" is "sampai").
# "Yang belum beres ...", "Yang bikin saya jengkel ...": the one still open, the one that
# upsets.
ASKED_FOR: Final = MAIN_VERBS | frozenset(
    "minta butuh butuhkan perlu perlukan tanyakan sampai belum jengkel kesal kesel resah stres"
    " tahan".split()
)
THE_PROBLEM: Final = frozenset("masalahnya masalah problemnya keluhannya intinya".split())
NOW: Final = frozenset("sekarang nah saiki now terus".split())
# "..., sudah lapor polisi. Sekarang saya minta ...": the story turns to what is asked now.
SHIFTS: Final = frozenset("sekarang saiki now".split())
# "..., tapi lampunya mati lagi", "sayangnya ...": what follows is still wrong ("sekarang" is
# not: a thanks tells what is fine now; "ning" is most often "at": "ning Semampir").
TURNS: Final = CONTRASTS - {"ning"} | frozenset("sayangnya soalnya however".split())
# "jalannya berlubang lagi", "lampunya masih mati": a problem back or still there.
AGAIN: Final = frozenset("lagi maneh meneh malih again".split())
STILL_THERE: Final = frozenset("masih tasih taksih isih still".split())
# "..., udah ketemu. nah sekarang ada sarang tawon", "sekarang tinggal air PDAM yang mati": a
# problem that is there now, or is all that is left, is new.
THERE_IS: Final = frozenset("ada onok enek wonten there tinggal kari".split())
# "cuma mau bilang makasih": "cuma" before a wish is no turn.
WANTS: Final = frozenset("mau ingin arep badhe akan pengen pengin mo want".split())
# What a request for one problem first says besides naming it ("tolong yang itu dulu ya pak").
FUNCTION_WORDS: Final = (
    REQUESTS
    | FIRST
    | BACK_REFERENCES
    | frozenset(
        """
        yang dan atau di ke dari ada tidak sudah sangat banget sama juga karena untuk dengan saya
        kami kita pak bu ibu bapak mas mbak min admin kok sih dong deh lah ya lagi bisa mau segera
        diperbaiki dicek cek dibenahi diurus urus ditangani tangan
        """.split()
    )
)
