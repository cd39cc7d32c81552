#!/usr/bin/env python3
"""Writes the labelled name pairs of issue #19, per script group, in two parts kept apart:
`tune/GROUP.csv` (the rules may be adjusted while looking at these) and `heldout/GROUP.csv`
(only ever measured, never looked at to change a rule). Also writes `parts/GROUP.tsv`, the
name parts the speed and false-alert benchmarks compose synthetic persons from.

Written for Accord, before any tuning for issue #19, from name inventories typed here from
general knowledge of naming customs (common given names and surnames, their customary
Latin spellings and romanisation systems). No pair is copied from any dataset, and none
names a real designated person on purpose: every person is a random combination of parts.
Each inventory is split in two by position (even → tune, odd → heldout), so the held-out
pairs are built from given names and surnames the tuning pairs never contain.

Run from this directory: `python3 make_sets.py`. Deterministic (fixed seeds): re-running
reproduces the committed files.

Columns of the pairs: name1,name2,schema,label,category — label 1 when both names denote
the same person or company, 0 when they do not.
"""

import csv
import os
import random
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------
# Typos: what a person typing a name makes (one edit in one word of four letters or more).

KEYBOARD_NEIGHBOURS = {
    "a": "sqz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}


def typo_word(word, rng):
    letters = list(word)
    if len(letters) < 4:
        return word
    i = rng.randrange(1, len(letters) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        del letters[i]
    elif kind == 1:
        letters[i], letters[i + 1] = letters[i + 1], letters[i]
        if letters == list(word):
            del letters[i]
    elif kind == 2:
        c = letters[i].lower()
        options = KEYBOARD_NEIGHBOURS.get(c, "e")
        repl = rng.choice(options)
        letters[i] = repl.upper() if letters[i].isupper() else repl
    else:
        letters.insert(i, letters[i])
    return "".join(letters)


def typo_name(name, rng):
    words = name.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not long_words:
        return name
    i = rng.choice(long_words)
    words[i] = typo_word(words[i], rng)
    return " ".join(words)


def strip_accents(text):
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )


def split_halves(items):
    return items[0::2], items[1::2]


# ---------------------------------------------------------------------------------------
# Cyrillic (Russian): names written in Cyrillic and romanised by five systems in use in
# lists, passports and the press.

RU_GIVEN_M = [
    "Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Михаил", "Николай", "Владимир",
    "Евгений", "Юрий", "Игорь", "Олег", "Виктор", "Павел", "Максим", "Артём", "Фёдор",
    "Пётр", "Геннадий", "Вячеслав", "Константин", "Аркадий", "Григорий", "Роман", "Илья",
    "Тимур", "Руслан", "Кирилл", "Станислав", "Ярослав", "Борис", "Вадим", "Леонид",
    "Анатолий", "Василий", "Валерий",
]
RU_GIVEN_F = [
    "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Мария", "Анна",
    "Екатерина", "Юлия", "Ксения", "Людмила", "Галина", "Вера", "Дарья", "Алёна",
]
RU_SURNAMES = [
    "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов",
    "Волков", "Соловьёв", "Васильев", "Зайцев", "Павлов", "Семёнов", "Голубев", "Виноградов",
    "Богданов", "Воробьёв", "Фёдоров", "Михайлов", "Беляев", "Тарасов", "Белов", "Комаров",
    "Орлов", "Киселёв", "Макаров", "Андреев", "Ковалёв", "Ильин", "Гусев", "Титов",
    "Кузьмин", "Кудрявцев", "Баранов", "Куликов", "Алексеев", "Степанов", "Яковлев",
    "Сорокин", "Сергеев", "Романов", "Захаров", "Борисов", "Королёв", "Герасимов",
    "Пономарёв", "Григорьев", "Лазарев", "Ершов", "Никитин", "Соболев", "Рябов", "Поляков",
    "Цветков", "Данилов", "Жуков", "Фролов", "Журавлёв", "Николаев", "Крылов", "Максимов",
    "Осипов", "Белоусов", "Федотов", "Дорофеев", "Егоров", "Матвеев", "Бобров", "Дмитриев",
    "Калинин", "Анисимов", "Петухов", "Тимофеев", "Никифоров", "Веселов", "Филиппов",
    "Марков", "Большаков", "Суханов", "Миронов", "Ширяев", "Коновалов", "Шестаков",
    "Казаков", "Ефимов", "Денисов", "Громов", "Фомин", "Давыдов", "Мельников", "Щербаков",
    "Блинов", "Колесников", "Карпов", "Афанасьев", "Власов", "Маслов", "Тихонов", "Аксёнов",
    "Гаврилов", "Родионов", "Котов", "Горбунов", "Быков", "Третьяков", "Савельев", "Рыбаков",
    "Суворов", "Абрамов", "Воронов", "Мухин", "Архипов", "Трофимов", "Мартынов", "Емельянов",
    "Горшков", "Чернов", "Овчинников", "Селезнёв", "Панфилов", "Михеев", "Назаров",
    "Лобанов", "Лукин", "Потапов", "Некрасов", "Хохлов", "Жданов", "Наумов", "Воронцов",
    "Ермаков", "Дроздов", "Игнатьев", "Логинов", "Сафонов", "Кириллов", "Моисеев",
    "Елисеев", "Горбачёв", "Ефремов", "Исаев", "Евдокимов", "Калашников", "Юдин", "Прохоров",
    "Нестеров", "Харитонов", "Муравьёв", "Пахомов", "Шубин", "Крюков", "Терентьев",
    "Молчанов", "Гурьев", "Зиновьев", "Дементьев", "Фадеев", "Гуляев", "Устинов",
    "Вишняков", "Лаврентьев", "Авдеев", "Бирюков", "Щукин", "Дьячков", "Одинцов", "Гордеев",
    "Самойлов", "Князев", "Бобылёв", "Белозёров", "Мясников", "Лихачёв", "Сысоев",
    "Фомичёв", "Гущин", "Блохин", "Кондратьев", "Шевченко", "Коваленко", "Бондаренко",
    "Ткаченко", "Кравченко", "Мельник", "Бойко", "Ковальчук", "Олейник", "Лысенко",
    "Руденко", "Савченко", "Петренко", "Марченко", "Клименко",
]
# Surnames one or two letters apart that are different families.
RU_NEAR = [
    ("Петров", "Петренко"), ("Иванов", "Иваненко"), ("Сидоров", "Сидоренко"),
    ("Козлов", "Козлюк"), ("Орлов", "Орлик"), ("Волков", "Волгин"), ("Белов", "Беляев"),
    ("Титов", "Тихов"), ("Лебедев", "Лебедько"), ("Соколов", "Сокольский"),
    ("Морозов", "Морозюк"), ("Фролов", "Фомин"), ("Жуков", "Жучков"), ("Гусев", "Гуськов"),
    ("Котов", "Котлов"), ("Быков", "Бычков"), ("Громов", "Громыко"), ("Ершов", "Ерохин"),
    ("Лукин", "Лукьянов"), ("Сорокин", "Сорокоумов"), ("Марков", "Маркин"),
    ("Карпов", "Карпенко"), ("Власов", "Власенко"), ("Маслов", "Масленников"),
    ("Рябов", "Рябцев"), ("Чернов", "Черных"), ("Кудрин", "Кудряшов"), ("Шубин", "Шубкин"),
    ("Панов", "Панин"), ("Зуев", "Зуйков"), ("Минин", "Миронов"), ("Седов", "Седых"),
]

RU_LETTERS = {
    # letter: (bgn, icao, simple, german, french)
    "а": ("a", "a", "a", "a", "a"), "б": ("b", "b", "b", "b", "b"), "в": ("v", "v", "v", "w", "v"),
    "г": ("g", "g", "g", "g", "g"), "д": ("d", "d", "d", "d", "d"), "е": ("e", "e", "e", "e", "e"),
    "ё": ("ë", "e", "yo", "jo", "io"), "ж": ("zh", "zh", "zh", "sch", "j"),
    "з": ("z", "z", "z", "s", "z"), "и": ("i", "i", "i", "i", "i"), "й": ("y", "i", "y", "j", "ï"),
    "к": ("k", "k", "k", "k", "k"), "л": ("l", "l", "l", "l", "l"), "м": ("m", "m", "m", "m", "m"),
    "н": ("n", "n", "n", "n", "n"), "о": ("o", "o", "o", "o", "o"), "п": ("p", "p", "p", "p", "p"),
    "р": ("r", "r", "r", "r", "r"), "с": ("s", "s", "s", "s", "s"), "т": ("t", "t", "t", "t", "t"),
    "у": ("u", "u", "u", "u", "ou"), "ф": ("f", "f", "f", "f", "f"), "х": ("kh", "kh", "kh", "ch", "kh"),
    "ц": ("ts", "ts", "ts", "z", "ts"), "ч": ("ch", "ch", "ch", "tsch", "tch"),
    "ш": ("sh", "sh", "sh", "sch", "ch"), "щ": ("shch", "shch", "shch", "schtsch", "chtch"),
    "ъ": ("", "ie", "", "", ""), "ы": ("y", "y", "y", "y", "y"), "ь": ("'", "", "", "", ""),
    "э": ("e", "e", "e", "e", "e"), "ю": ("yu", "iu", "yu", "ju", "iou"),
    "я": ("ya", "ia", "ya", "ja", "ia"),
}
RU_SYSTEMS = ["bgn", "icao", "simple", "german", "french"]
RU_VOWELS = set("аеёиоуыэюяъь")


def romanise_ru(word, system):
    s = RU_SYSTEMS.index(system)
    lower = word.lower()
    out = []
    for i, c in enumerate(lower):
        prev = lower[i - 1] if i > 0 else ""
        nxt = lower[i + 1] if i + 1 < len(lower) else ""
        if c == "е" and system in ("bgn", "simple") and (i == 0 or prev in RU_VOWELS):
            out.append("ye")
        elif c == "е" and system == "german" and (i == 0 or (prev and prev in RU_VOWELS)):
            out.append("je")
        elif c == "й" and prev in "иы" and i == len(lower) - 1 and system == "simple":
            # -ий / -ый written -y: Dmitry, Grigory
            out[-1] = ""
            out.append("y")
        elif c == "й" and prev == "и" and i == len(lower) - 1 and system == "german":
            out.append("j")
        elif c == "с" and system in ("german", "french") and prev and nxt and prev in "аеиоуыэюя" and nxt in "аеиоуыэюя":
            out.append("ss")
        else:
            out.append(RU_LETTERS.get(c, (c,) * 5)[s])
    text = "".join(out)
    if system == "bgn":
        text = text.replace("ë", "e")
    if system == "french":
        text = text.replace("ï", "i")
    return text[:1].upper() + text[1:]


def ru_feminine(surname):
    for masc, fem in (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая"), ("ых", "ых"), ("их", "их")):
        if surname.endswith(masc):
            return surname[: -len(masc)] + fem
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


def ru_patronymic(given, feminine):
    irregular = {"Павел": "Павл", "Пётр": "Петр", "Лев": "Льв"}
    if given in irregular:
        return irregular[given] + ("овна" if feminine else "ович")
    if given == "Илья":
        return "Ильинична" if feminine else "Ильич"
    if given.endswith("ий"):
        stem = given[:-2] + "ь"
        return stem + ("евна" if feminine else "евич")
    if given.endswith("й"):
        return given[:-1] + ("евна" if feminine else "евич")
    if given.endswith(("а", "я")):
        return given[:-1] + ("ична" if feminine else "ич")
    return given + ("овна" if feminine else "ович")


# ---------------------------------------------------------------------------------------
# Arabic and Persian: names in Arabic script with their customary Latin spellings.

AR_GIVEN = [
    ("m", "محمد", "Mohammed|Muhammad|Mohamed|Mohammad|Muhammed|Mohamad"),
    ("m", "أحمد", "Ahmed|Ahmad"),
    ("m", "علي", "Ali"),
    ("m", "حسن", "Hassan|Hasan"),
    ("m", "حسين", "Hussein|Hussain|Husayn|Husein"),
    ("m", "عمر", "Omar|Umar"),
    ("m", "خالد", "Khaled|Khalid"),
    ("m", "يوسف", "Youssef|Yusuf|Yousef|Yousif"),
    ("m", "إبراهيم", "Ibrahim|Ebrahim"),
    ("m", "مصطفى", "Mustafa|Moustafa|Mostafa"),
    ("m", "محمود", "Mahmoud|Mahmud"),
    ("m", "سعيد", "Said|Saeed|Saied"),
    ("m", "طارق", "Tariq|Tarek|Tareq"),
    ("m", "فيصل", "Faisal|Faysal"),
    ("m", "ناصر", "Nasser|Nasir|Naser"),
    ("m", "سليمان", "Suleiman|Sulaiman|Sulayman|Soliman"),
    ("m", "جمال", "Jamal|Gamal"),
    ("m", "كريم", "Karim|Kareem"),
    ("m", "عادل", "Adel|Adil"),
    ("m", "رشيد", "Rashid|Rachid|Rasheed"),
    ("m", "صالح", "Saleh|Salih"),
    ("m", "زياد", "Ziad|Ziyad"),
    ("m", "وليد", "Walid|Waleed"),
    ("m", "هشام", "Hisham|Hicham"),
    ("m", "منصور", "Mansour|Mansur"),
    ("m", "ياسر", "Yasser|Yasir"),
    ("m", "عثمان", "Othman|Osman|Uthman"),
    ("m", "حمزة", "Hamza|Hamzah"),
    ("m", "بلال", "Bilal"),
    ("m", "أسامة", "Osama|Usama|Oussama"),
    ("m", "أنور", "Anwar|Anouar"),
    ("m", "جعفر", "Jafar|Jaafar"),
    ("m", "قاسم", "Qasim|Kassem|Qassem"),
    ("m", "نبيل", "Nabil|Nabeel"),
    ("m", "شريف", "Sharif|Cherif"),
    ("m", "فؤاد", "Fuad|Fouad"),
    ("m", "عماد", "Imad|Emad"),
    ("m", "سامي", "Sami|Samy"),
    ("m", "غسان", "Ghassan"),
    ("m", "حافظ", "Hafez|Hafiz"),
    ("m", "رياض", "Riad|Riyad"),
    ("m", "زكريا", "Zakaria|Zakariya"),
    ("m", "إسماعيل", "Ismail|Ismael"),
    ("m", "عبد الله", "Abdullah|Abdallah|Abd Allah"),
    ("m", "عبد الرحمن", "Abdul Rahman|Abdulrahman|Abd al-Rahman|Abdelrahman"),
    ("m", "عبد العزيز", "Abdul Aziz|Abdulaziz|Abd al-Aziz|Abdelaziz"),
    ("m", "عبد الكريم", "Abdul Karim|Abdelkarim|Abd al-Karim"),
    ("m", "أبو بكر", "Abu Bakr|Abubakar|Abou Bakr"),
    ("m", "ماجد", "Majed|Majid"),
    ("m", "مروان", "Marwan"),
    ("f", "فاطمة", "Fatima|Fatma|Fatimah"),
    ("f", "عائشة", "Aisha|Aicha|Ayesha"),
    ("f", "مريم", "Maryam|Mariam|Meriem"),
    ("f", "زينب", "Zainab|Zeinab|Zaynab"),
    ("f", "خديجة", "Khadija|Khadijah"),
    ("f", "نور", "Nour|Noor|Nur"),
    ("f", "ليلى", "Layla|Leila|Laila"),
    ("f", "سارة", "Sara|Sarah"),
    ("f", "أمينة", "Amina|Aminah"),
    ("f", "هدى", "Huda|Houda|Hoda"),
]
AR_FAMILY = [
    ("الأسد", "al-Assad|Assad|al-Asad"),
    ("الزهراني", "al-Zahrani|Alzahrani|Al Zahrani"),
    ("القحطاني", "al-Qahtani|Al Qahtani|Alkahtani|al-Kahtani"),
    ("الشمري", "al-Shammari|Al Shammari|Alshammari"),
    ("العتيبي", "al-Otaibi|Alotaibi|al-Utaybi"),
    ("الدوسري", "al-Dosari|Aldossari|al-Dawsari"),
    ("الغامدي", "al-Ghamdi|Alghamdi"),
    ("المطيري", "al-Mutairi|Almutairi|al-Mutayri"),
    ("الحربي", "al-Harbi|Alharbi"),
    ("البغدادي", "al-Baghdadi|Baghdadi"),
    ("المصري", "al-Masri|el-Masry|Masri"),
    ("التميمي", "al-Tamimi|Al Tamimi|Tamimi"),
    ("الجبوري", "al-Jubouri|al-Juburi|Jubouri"),
    ("العبيدي", "al-Obaidi|al-Ubaydi|Obeidi"),
    ("الحلبي", "al-Halabi|Halabi"),
    ("حداد", "Haddad"),
    ("خوري", "Khoury|Khouri|Khuri"),
    ("نصر الله", "Nasrallah|Nasr Allah"),
    ("عيسى", "Issa|Eisa|Isa"),
    ("سلامة", "Salameh|Salama|Salamah"),
    ("عباس", "Abbas"),
    ("جابر", "Jaber|Jabir"),
    ("يعقوب", "Yacoub|Yaqub|Yakoub"),
    ("زيدان", "Zidane|Zeidan|Zaydan"),
    ("عاشور", "Ashour|Ashur|Achour"),
    ("درويش", "Darwish|Darweesh"),
    ("عوض", "Awad|Awadh"),
    ("الخطيب", "al-Khatib|Khatib|el-Khatib"),
    ("الشريف", "al-Sharif|el-Sherif"),
    ("الكبيسي", "al-Kubaisi|Kubaisi"),
    ("الهاشمي", "al-Hashimi|al-Hashemi|Hashimi"),
    ("السعدي", "al-Saadi|Saadi|al-Sadi"),
    ("الأنصاري", "al-Ansari|Ansari"),
    ("الفارس", "al-Fares|al-Faris"),
    ("الرفاعي", "al-Rifai|Rifai|al-Refaei"),
    ("البنا", "al-Banna|Banna"),
    ("الطيب", "al-Tayeb|al-Tayyib"),
    ("القرشي", "al-Qurashi|Qurashi|al-Korashi"),
    ("الكردي", "al-Kurdi|Kurdi"),
    ("العمري", "al-Omari|Omari|al-Umari"),
    ("النعيمي", "al-Nuaimi|al-Naimi|Alnuaimi"),
    ("الخزرجي", "al-Khazraji|Khazraji"),
]
# Different names whose Latin spellings are close.
AR_NEAR = [
    ("حسن", "Hassan", "حسين", "Hussein"), ("محمد", "Mohammed", "محمود", "Mahmoud"),
    ("سعيد", "Saeed", "سعد", "Saad"), ("كريم", "Karim", "كرم", "Karam"),
    ("جمال", "Jamal", "جميل", "Jamil"), ("سالم", "Salem", "سليم", "Salim"),
    ("حامد", "Hamed", "حمدي", "Hamdi"), ("ناصر", "Nasser", "نصر", "Nasr"),
    ("عادل", "Adel", "عدنان", "Adnan"), ("مجيد", "Majid", "مجدي", "Magdi"),
    ("فريد", "Farid", "فراس", "Firas"), ("رامي", "Rami", "رامز", "Ramez"),
    ("سامي", "Sami", "سامر", "Samer"), ("هاني", "Hani", "هانئ", "Hanna"),
    ("عمر", "Omar", "عمار", "Ammar"), ("أمين", "Amin", "أيمن", "Ayman"),
    ("خالد", "Khaled", "خليل", "Khalil"), ("رشيد", "Rashid", "راشد", "Rashed"),
    ("زياد", "Ziad", "زيد", "Zaid"), ("بشير", "Bashir", "بشار", "Bashar"),
]

FA_GIVEN = [
    ("m", "رضا", "Reza"), ("m", "مهدی", "Mehdi|Mahdi"), ("m", "علیرضا", "Alireza|Ali Reza"),
    ("m", "حسین", "Hossein|Hosein|Hussein"),
    ("m", "محمدرضا", "Mohammad Reza|Mohammadreza|Mohamad Reza"),
    ("m", "امیر", "Amir"), ("m", "مجید", "Majid"), ("m", "حمید", "Hamid"),
    ("m", "جواد", "Javad|Jawad"), ("m", "مرتضی", "Morteza|Mortaza"),
    ("m", "داود", "Davood|Davoud|Davud"), ("m", "بهروز", "Behrouz|Behruz"),
    ("m", "فرهاد", "Farhad"), ("m", "کامران", "Kamran"), ("m", "شهرام", "Shahram"),
    ("m", "بابک", "Babak"), ("m", "پرویز", "Parviz|Parvez"), ("m", "کاظم", "Kazem|Kazim"),
    ("m", "قاسم", "Qasem|Ghasem|Ghassem"), ("m", "سیامک", "Siamak|Syamak"),
    ("m", "مسعود", "Masoud|Massoud|Masud"), ("m", "محسن", "Mohsen"), ("m", "اکبر", "Akbar"),
    ("m", "منوچهر", "Manouchehr|Manuchehr"), ("m", "سهراب", "Sohrab"),
    ("m", "عباس", "Abbas"), ("m", "سعید", "Saeed|Said"), ("m", "ناصر", "Naser|Nasser"),
    ("f", "فاطمه", "Fatemeh|Fatemah"), ("f", "زهرا", "Zahra"), ("f", "مریم", "Maryam"),
    ("f", "نسرین", "Nasrin|Nasreen"), ("f", "شیرین", "Shirin|Shireen"),
    ("f", "پریسا", "Parisa"), ("f", "نازنین", "Nazanin"), ("f", "لیلا", "Leila|Layla"),
]
FA_FAMILY = [
    ("احمدی", "Ahmadi"), ("محمدی", "Mohammadi|Mohamadi"), ("حسینی", "Hosseini|Hoseini|Husseini"),
    ("رضایی", "Rezaei|Rezaee|Rezai"), ("موسوی", "Mousavi|Musavi|Moussavi"),
    ("کریمی", "Karimi"), ("هاشمی", "Hashemi"), ("جعفری", "Jafari|Jafary"),
    ("رحیمی", "Rahimi"), ("صادقی", "Sadeghi|Sadeqi"), ("قربانی", "Ghorbani|Qorbani"),
    ("نوری", "Nouri|Nuri"), ("سلیمانی", "Soleimani|Soleymani|Suleimani"),
    ("اکبری", "Akbari"), ("عباسی", "Abbasi"), ("طاهری", "Taheri"), ("شریفی", "Sharifi"),
    ("زمانی", "Zamani"), ("کاظمی", "Kazemi"), ("ملکی", "Maleki"), ("بهرامی", "Bahrami"),
    ("نجفی", "Najafi"), ("اصفهانی", "Esfahani|Isfahani"), ("تهرانی", "Tehrani"),
    ("شیرازی", "Shirazi"), ("قاسمی", "Ghasemi|Qasemi"), ("فرهادی", "Farhadi"),
    ("یزدی", "Yazdi"), ("کرمانی", "Kermani"), ("صفوی", "Safavi"), ("رستمی", "Rostami"),
    ("نظری", "Nazari"), ("امینی", "Amini"), ("یوسفی", "Yousefi|Yusefi"),
]
FA_NEAR = [
    ("احمدی", "Ahmadi", "محمدی", "Mohammadi"), ("کریمی", "Karimi", "رحیمی", "Rahimi"),
    ("کاظمی", "Kazemi", "قاسمی", "Ghasemi"), ("نوری", "Nouri", "نظری", "Nazari"),
    ("عباسی", "Abbasi", "عباس", "Abbas"), ("امینی", "Amini", "امیری", "Amiri"),
    ("هاشمی", "Hashemi", "هاشم", "Hashem"), ("زمانی", "Zamani", "رحمانی", "Rahmani"),
    ("مهدی", "Mehdi", "مهری", "Mehri"), ("حمید", "Hamid", "حامد", "Hamed"),
    ("مجید", "Majid", "ماجد", "Majed"), ("رضا", "Reza", "رزا", "Roza"),
]

# ---------------------------------------------------------------------------------------
# Han (Chinese): surname and given-name characters with pinyin and Wade-Giles.

HAN_SURNAMES = [
    ("王", "Wang", "Wang"), ("李", "Li", "Li"), ("张", "Zhang", "Chang"), ("刘", "Liu", "Liu"),
    ("陈", "Chen", "Chen"), ("杨", "Yang", "Yang"), ("黄", "Huang", "Huang"),
    ("赵", "Zhao", "Chao"), ("吴", "Wu", "Wu"), ("周", "Zhou", "Chou"), ("徐", "Xu", "Hsu"),
    ("孙", "Sun", "Sun"), ("马", "Ma", "Ma"), ("朱", "Zhu", "Chu"), ("胡", "Hu", "Hu"),
    ("郭", "Guo", "Kuo"), ("何", "He", "Ho"), ("高", "Gao", "Kao"), ("林", "Lin", "Lin"),
    ("罗", "Luo", "Lo"), ("郑", "Zheng", "Cheng"), ("梁", "Liang", "Liang"), ("谢", "Xie", "Hsieh"),
    ("宋", "Song", "Sung"), ("唐", "Tang", "Tang"), ("韩", "Han", "Han"), ("冯", "Feng", "Feng"),
    ("邓", "Deng", "Teng"), ("曹", "Cao", "Tsao"), ("彭", "Peng", "Peng"), ("曾", "Zeng", "Tseng"),
    ("肖", "Xiao", "Hsiao"), ("田", "Tian", "Tien"), ("董", "Dong", "Tung"), ("袁", "Yuan", "Yuan"),
    ("潘", "Pan", "Pan"), ("蒋", "Jiang", "Chiang"), ("蔡", "Cai", "Tsai"), ("杜", "Du", "Tu"),
    ("叶", "Ye", "Yeh"), ("程", "Cheng", "Cheng"), ("苏", "Su", "Su"), ("魏", "Wei", "Wei"),
    ("丁", "Ding", "Ting"), ("任", "Ren", "Jen"), ("沈", "Shen", "Shen"), ("姚", "Yao", "Yao"),
    ("崔", "Cui", "Tsui"), ("钟", "Zhong", "Chung"), ("谭", "Tan", "Tan"), ("范", "Fan", "Fan"),
    ("廖", "Liao", "Liao"), ("贾", "Jia", "Chia"), ("夏", "Xia", "Hsia"), ("方", "Fang", "Fang"),
    ("白", "Bai", "Pai"), ("邹", "Zou", "Tsou"), ("孟", "Meng", "Meng"), ("熊", "Xiong", "Hsiung"),
    ("秦", "Qin", "Chin"), ("邱", "Qiu", "Chiu"), ("薛", "Xue", "Hsueh"), ("段", "Duan", "Tuan"),
    ("雷", "Lei", "Lei"), ("侯", "Hou", "Hou"), ("龙", "Long", "Lung"), ("陶", "Tao", "Tao"),
    ("顾", "Gu", "Ku"), ("毛", "Mao", "Mao"), ("郝", "Hao", "Hao"), ("龚", "Gong", "Kung"),
    ("邵", "Shao", "Shao"), ("钱", "Qian", "Chien"), ("严", "Yan", "Yen"), ("戴", "Dai", "Tai"),
    ("孔", "Kong", "Kung"), ("汤", "Tang", "Tang"),
]
HAN_GIVEN = [
    ("伟", "wei", "wei"), ("芳", "fang", "fang"), ("敏", "min", "min"), ("静", "jing", "ching"),
    ("强", "qiang", "chiang"), ("磊", "lei", "lei"), ("军", "jun", "chun"), ("洋", "yang", "yang"),
    ("勇", "yong", "yung"), ("艳", "yan", "yen"), ("杰", "jie", "chieh"), ("涛", "tao", "tao"),
    ("明", "ming", "ming"), ("超", "chao", "chao"), ("秀", "xiu", "hsiu"), ("霞", "xia", "hsia"),
    ("平", "ping", "ping"), ("刚", "gang", "kang"), ("华", "hua", "hua"), ("建", "jian", "chien"),
    ("国", "guo", "kuo"), ("文", "wen", "wen"), ("辉", "hui", "hui"), ("鹏", "peng", "peng"),
    ("宇", "yu", "yu"), ("浩", "hao", "hao"), ("波", "bo", "po"), ("斌", "bin", "pin"),
    ("峰", "feng", "feng"), ("红", "hong", "hung"), ("海", "hai", "hai"), ("东", "dong", "tung"),
    ("志", "zhi", "chih"), ("新", "xin", "hsin"), ("晓", "xiao", "hsiao"), ("春", "chun", "chun"),
    ("成", "cheng", "cheng"), ("飞", "fei", "fei"), ("云", "yun", "yun"), ("光", "guang", "kuang"),
    ("永", "yong", "yung"), ("庆", "qing", "ching"), ("荣", "rong", "jung"), ("安", "an", "an"),
    ("振", "zhen", "chen"), ("嘉", "jia", "chia"), ("思", "si", "ssu"), ("雪", "xue", "hsueh"),
    ("梅", "mei", "mei"), ("兰", "lan", "lan"), ("婷", "ting", "ting"), ("慧", "hui", "hui"),
    ("颖", "ying", "ying"), ("宏", "hong", "hung"), ("忠", "zhong", "chung"), ("立", "li", "li"),
    ("天", "tian", "tien"), ("山", "shan", "shan"), ("清", "qing", "ching"), ("松", "song", "sung"),
    ("林", "lin", "lin"), ("金", "jin", "chin"), ("德", "de", "te"), ("世", "shi", "shih"),
]
# Characters read alike (same pinyin), written differently: different names.
HAN_HOMOPHONES = [
    ("张", "章"), ("王", "汪"), ("杨", "阳"), ("刘", "柳"), ("徐", "许"), ("吴", "武"),
    ("江", "姜"), ("何", "贺"), ("卢", "陆"), ("余", "于"), ("韦", "魏"), ("付", "傅"),
    ("伟", "卫"), ("静", "晶"), ("丽", "力"), ("军", "俊"), ("杰", "洁"), ("明", "铭"),
    ("红", "宏"), ("文", "雯"), ("宇", "玉"), ("嘉", "佳"), ("新", "欣"), ("雪", "学"),
]

# ---------------------------------------------------------------------------------------
# Hangul (Korean): surnames with their spellings; given-name syllables with the Revised
# Romanization, McCune-Reischauer (as North Korean names are written in lists) and the
# customary spelling of South Korean passports and the press.

KO_SURNAMES = [
    ("김", "Kim|Gim"), ("이", "Lee|Yi|Rhee"), ("박", "Park|Pak|Bak"), ("최", "Choi|Choe"),
    ("정", "Jung|Jeong|Chong"), ("강", "Kang|Gang"), ("조", "Cho|Jo"), ("윤", "Yoon|Yun"),
    ("장", "Jang|Chang"), ("임", "Lim|Im|Rim"), ("한", "Han"), ("오", "Oh|O"),
    ("서", "Seo|Suh|So"), ("신", "Shin|Sin"), ("권", "Kwon|Gwon"), ("황", "Hwang"),
    ("안", "Ahn|An"), ("송", "Song"), ("류", "Ryu|Yoo|Yu"), ("홍", "Hong"),
    ("전", "Jeon|Chon|Jun"), ("고", "Ko|Go"), ("문", "Moon|Mun"), ("손", "Son"),
    ("양", "Yang|Ryang"), ("배", "Bae|Pae"), ("백", "Baek|Paek"), ("허", "Heo|Hur|Ho"),
    ("남", "Nam"), ("심", "Shim|Sim"), ("노", "Noh|Roh|No"), ("하", "Ha"), ("곽", "Kwak|Gwak"),
    ("차", "Cha"), ("주", "Joo|Ju|Chu"), ("우", "Woo|U"), ("구", "Koo|Ku|Gu"), ("민", "Min"),
    ("리", "Ri|Li"), ("현", "Hyun|Hyon"), ("방", "Bang|Pang"), ("유", "Yoo|Yu"),
]
KO_SYLLABLES = [
    # syllable, RR, MR, customary
    ("영", "yeong", "yong", "young"), ("철", "cheol", "chol", "chul"),
    ("정", "jeong", "jong", "jung"), ("은", "eun", "un", "eun"), ("수", "su", "su", "soo"),
    ("민", "min", "min", "min"), ("지", "ji", "chi", "ji"), ("훈", "hun", "hun", "hoon"),
    ("성", "seong", "song", "sung"), ("현", "hyeon", "hyon", "hyun"), ("우", "u", "u", "woo"),
    ("준", "jun", "chun", "joon"), ("호", "ho", "ho", "ho"), ("동", "dong", "tong", "dong"),
    ("상", "sang", "sang", "sang"), ("광", "gwang", "kwang", "kwang"),
    ("용", "yong", "yong", "yong"), ("명", "myeong", "myong", "myung"), ("일", "il", "il", "il"),
    ("진", "jin", "chin", "jin"), ("혜", "hye", "hye", "hye"), ("미", "mi", "mi", "mi"),
    ("경", "gyeong", "kyong", "kyung"), ("희", "hui", "hui", "hee"), ("남", "nam", "nam", "nam"),
    ("창", "chang", "chang", "chang"), ("태", "tae", "thae", "tae"), ("식", "sik", "sik", "sik"),
    ("병", "byeong", "pyong", "byung"), ("학", "hak", "hak", "hak"),
    ("충", "chung", "chung", "chung"), ("금", "geum", "kum", "keum"),
    ("석", "seok", "sok", "suk"), ("세", "se", "se", "se"), ("재", "jae", "chae", "jae"),
    ("승", "seung", "sung", "seung"), ("혁", "hyeok", "hyok", "hyuk"), ("국", "guk", "kuk", "kook"),
    ("순", "sun", "sun", "soon"), ("옥", "ok", "ok", "ok"), ("춘", "chun", "chun", "chun"),
    ("길", "gil", "kil", "gil"), ("대", "dae", "tae", "dae"), ("원", "won", "won", "won"),
    ("해", "hae", "hae", "hae"), ("연", "yeon", "yon", "yeon"), ("선", "seon", "son", "sun"),
    ("기", "gi", "ki", "ki"), ("근", "geun", "kun", "keun"), ("봉", "bong", "pong", "bong"),
    ("범", "beom", "pom", "bum"), ("혁", "hyeok", "hyok", "hyuk"), ("룡", "ryong", "ryong", "ryong"),
    ("만", "man", "man", "man"), ("복", "bok", "pok", "bok"), ("향", "hyang", "hyang", "hyang"),
]

# ---------------------------------------------------------------------------------------
# Latin script: names of several languages with their spellings without diacritics.

LATIN_GIVEN = [
    ("m", "José|Jose"), ("m", "François|Francois"), ("m", "Jürgen|Juergen|Jurgen"),
    ("m", "Søren|Soren|Soeren"), ("m", "Łukasz|Lukasz"), ("m", "Mehmet|Mehmed"),
    ("m", "Çağlar|Caglar"), ("m", "Giovanni"), ("m", "Pierre"), ("m", "Hans"), ("m", "Carlos"),
    ("m", "Miguel"), ("m", "António|Antonio"), ("m", "João|Joao"), ("m", "Stéphane|Stephane"),
    ("m", "Zoltán|Zoltan"), ("m", "Jiří|Jiri"), ("m", "Tomáš|Tomas"), ("m", "Ömer|Omer"),
    ("m", "Björn|Bjorn|Bjoern"), ("m", "André|Andre"), ("m", "René|Rene"),
    ("m", "Raúl|Raul"), ("m", "Sébastien|Sebastien"), ("m", "Krzysztof"), ("m", "Wojciech"),
    ("m", "Grzegorz"), ("m", "Matthias|Mathias"), ("m", "Christopher"), ("m", "William"),
    ("m", "James"), ("m", "Robert"), ("m", "Thomas"), ("m", "Richard"), ("m", "Patrick"),
    ("m", "Henrik"), ("m", "Lars"), ("m", "Dragan"), ("m", "Nikola"), ("m", "Gheorghe"),
    ("f", "María|Maria"), ("f", "Sofía|Sofia"), ("f", "Françoise|Francoise"),
    ("f", "Élodie|Elodie"), ("f", "Ingrid"), ("f", "Agnieszka"), ("f", "Małgorzata|Malgorzata"),
    ("f", "Zeynep"), ("f", "Ayşe|Ayse"), ("f", "Hélène|Helene"), ("f", "Jennifer"),
    ("f", "Margaret"), ("f", "Giulia"), ("f", "Chiara"), ("f", "Ewa"), ("f", "Birgit"),
]
LATIN_SURNAMES = [
    "Müller|Mueller|Muller", "Schröder|Schroeder|Schroder", "García|Garcia",
    "Fernández|Fernandez", "González|Gonzalez", "Rodríguez|Rodriguez", "López|Lopez",
    "Martínez|Martinez", "Sánchez|Sanchez", "Gómez|Gomez", "Dubois", "Lefèvre|Lefevre",
    "Moreau", "Rousseau", "Ferrari", "Esposito", "Colombo", "Kowalski", "Wiśniewski|Wisniewski",
    "Wójcik|Wojcik", "Kowalczyk", "Kamiński|Kaminski", "Lewandowski", "Zieliński|Zielinski",
    "Szymański|Szymanski", "Dąbrowski|Dabrowski", "Yılmaz|Yilmaz", "Kaya", "Şahin|Sahin",
    "Çelik|Celik", "Yıldız|Yildiz", "Öztürk|Ozturk", "Aydın|Aydin", "Özdemir|Ozdemir",
    "Arslan", "Doğan|Dogan", "Taylor", "Thompson", "Robinson", "Walker", "Wright", "Hughes",
    "Svensson", "Johansson", "Karlsson", "Svoboda", "Dvořák|Dvorak", "Horváth|Horvath",
    "Szabó|Szabo", "Kovács|Kovacs", "Popescu", "Ionescu", "Papadopoulos", "Oliveira",
    "Pereira", "Fitzgerald", "Gallagher", "Kristiansen", "Lindqvist", "Vasquez",
    "Jovanović|Jovanovic", "Petrović|Petrovic", "Nikolić|Nikolic", "Marković|Markovic",
    "Hoffmann|Hoffman", "Schneider", "Fischer", "Weber", "Bergström|Bergstrom",
]
LATIN_NEAR = [
    ("Hansen", "Jansen"), ("Rossi", "Rossini"), ("Russo", "Rosso"), ("Ferrari", "Ferrara"),
    ("Bianchi", "Bianco"), ("Romano", "Romani"), ("Ricci", "Rizzi"), ("Costa", "Acosta"),
    ("Kowalski", "Kowalewski"), ("Nowak", "Nowicki"), ("Demir", "Demirci"), ("Celik", "Cetin"),
    ("Johnson", "Johnston"), ("Williams", "Williamson"), ("Harris", "Harrison"),
    ("Robinson", "Robertson"), ("Walker", "Walter"), ("Martinez", "Martins"),
    ("Garcia", "Garza"), ("Moreau", "Moreno"), ("Laurent", "Laurens"), ("Toth", "Roth"),
    ("Szabo", "Szalai"), ("Santos", "Santoro"), ("Pereira", "Ferreira"),
    ("Oliveira", "Oliver"), ("Marin", "Martin"), ("Fischer", "Fischler"),
    ("Weber", "Weller"), ("Schneider", "Schreiber"), ("Jovanovic", "Jankovic"),
    ("Petrovic", "Pavlovic"), ("Nikolic", "Novakovic"), ("Hoffmann", "Hofmeister"),
]
LATIN_GIVEN_NEAR = [
    ("Mario", "Maria"), ("Daniel", "Daniela"), ("Giovanni", "Giovanna"), ("Carlos", "Carla"),
    ("Jan", "Jana"), ("Christian", "Christina"), ("Julian", "Juliana"), ("Martin", "Martina"),
    ("Paul", "Paula"), ("Michael", "Michaela"), ("Robert", "Roberta"), ("Louis", "Louise"),
    ("Adrian", "Adriana"), ("Simon", "Simone"), ("Antonio", "Antonia"), ("Stefan", "Stefania"),
]

# ---------------------------------------------------------------------------------------
# Particles and prefixes: names that carry Abd/Abdul/Abu/Al/bin/ibn, Mac/Mc, van/von, de…

PARTICLE_NAMES = [
    # (canonical Latin spelling, other customary spellings)
    ("Abdul Bari Akhund", "Abd al-Bari Akhund|Abdulbari Akhund"),
    ("Hafiz Abdul Salam", "Hafiz Abd al-Salam|Hafez Abdussalam"),
    ("Abdul Rahim Haqqani", "Abdurrahim Haqqani|Abd al-Rahim Haqqani"),
    ("Abdel Aziz Mansour", "Abdulaziz Mansour|Abd al-Aziz Mansur"),
    ("Abdul Qadir Noorzai", "Abdulqadir Noorzai|Abd al-Qadir Nurzai"),
    ("Abdul Wahid Rahmani", "Abdulwahid Rahmani|Abd al-Wahid Rahmani"),
    ("Abu Bakr Hamdan", "Abubakar Hamdan|Abou Bakr Hamdan"),
    ("Abu Hamza Rashidi", "Abou Hamza Rashidi|Abu Hamzah al-Rashidi"),
    ("Abu Ubaida Qudsi", "Abou Oubaida Qudsi|Abu Ubaydah al-Qudsi"),
    ("Abu Muhammad Tunisi", "Abou Mohamed al-Tounsi|Abu Mohammed al-Tunisi"),
    ("Khalid bin Ahmed Sudairi", "Khaled ibn Ahmad al-Sudairi|Khalid Bin Ahmed Al Sudairi"),
    ("Saad bin Nasser Otaibi", "Saad ibn Nasir al-Otaibi|Saad Bin Naser Al Otaibi"),
    ("Ali ibn Hussein Jaziri", "Ali bin Hussain al-Jaziri|Ali Ibn Husayn Jaziri"),
    ("Omar ibn Yusuf Maghribi", "Omar bin Youssef al-Maghribi|Umar ibn Yousef Maghribi"),
    ("Hamad bin Jassim Kuwari", "Hamad ibn Jasim al-Kuwari|Hamad Bin Jassem Al Kuwari"),
    ("Nasser al-Din Shirazi", "Nasiruddin Shirazi|Nasser ed-Din Shirazi"),
    ("Salah al-Din Karimi", "Salahuddin Karimi|Salah Eddine Karimi"),
    ("Noor al-Din Hakimi", "Nuruddin Hakimi|Nour Eddine Hakimi"),
    ("Abdullah al-Mahdi", "Abdallah el-Mahdi|Abd Allah al-Mahdi"),
    ("Abdul Majid Tayeb", "Abdelmajid Tayeb|Abd al-Majid al-Tayyib"),
    ("Ewan MacDonald", "Ewan McDonald|Ewan Mac Donald"),
    ("Fiona MacGregor", "Fiona McGregor|Fiona Mac Gregor"),
    ("Callum MacKenzie", "Callum McKenzie|Callum Mackenzie"),
    ("Niall MacNamara", "Niall McNamara|Niall Macnamara"),
    ("Iain MacLeod", "Iain McLeod|Iain Macleod"),
    ("Shauna McCarthy", "Shauna MacCarthy|Shauna Mc Carthy"),
    ("Pieter van der Berg", "Pieter van den Berg|Pieter Vanderberg"),
    ("Jan van Dijk", "Jan van Dyk|Jan Vandijk"),
    ("Willem van den Bosch", "Willem Van Den Bosch|Willem Vandenbosch"),
    ("Karl von Braun", "Karl Von Braun|Karl v. Braun"),
    ("Friedrich von Hoffmann", "Friedrich Von Hoffmann|Friedrich von Hofmann"),
    ("Luis de la Cruz", "Luis De La Cruz|Luis Delacruz"),
    ("Maria dos Santos", "Maria Dos Santos|Maria dos Santos Silva"),
    ("Ana da Silva", "Ana Da Silva|Ana Dasilva"),
    ("Angelo Di Marco", "Angelo di Marco|Angelo DiMarco"),
    ("Sean O'Connor", "Sean OConnor|Sean O Connor"),
    ("Hendrik ter Horst", "Hendrik Ter Horst|Hendrik Terhorst"),
    ("Ahmed Ould Abdallah", "Ahmed Ould Abdellah|Ahmed Ould Abdullah"),
]
# Particles and the typos people make in them (letters swapped, dropped, doubled, hit next).
PARTICLE_TYPOS = {
    "Abdul": ["Adbul", "Abudl", "Abdl", "Abdull", "Abdyl", "Avdul", "Abduk", "Abdu"],
    "Abdel": ["Adbel", "Abedl", "Abdl", "Abdell", "Abdek", "Avdel"],
    "Abd": ["Adb", "Abdd", "Abs"],
    "Abu": ["Aub", "Abuu", "Anu", "Avu"],
    "Abou": ["Aobu", "Abo", "Abiu"],
    "bin": ["bni", "bim", "ibn", "binn"],
    "ibn": ["inb", "ibm", "ibbn"],
    "Bin": ["Bni", "Bim", "Binn"],
    "al": ["la", "all", "ak"],
    "al-": ["la-", "all-", "ak-"],
    "Mac": ["Mca", "Macc", "Mav"],
    "Mc": ["Mcc", "Nc", "Cm"],
    "van": ["vna", "vam", "vaan"],
    "von": ["vno", "vom", "voon"],
    "der": ["dre", "derr", "des"],
    "den": ["dne", "denn", "dem"],
    "de": ["ed", "dee"],
    "la": ["al", "laa"],
    "dos": ["dso", "doss"],
    "da": ["ad", "daa"],
    "Di": ["Id", "Dii"],
    "ter": ["tre", "terr"],
    "Ould": ["Oudl", "Oulld", "Uold"],
}
# Names sharing their particle but not the person.
PARTICLE_NEAR = [
    ("Abdul Rahman Haqqani", "Abdul Rahim Haqqani"), ("Abdul Karim Noorzai", "Abdul Rahim Noorzai"),
    ("Abdel Aziz Mansour", "Abdel Hafiz Mansour"), ("Abu Bakr Hamdan", "Abu Bakar Hamdi"),
    ("Abu Hamza Rashidi", "Abu Hafs Rashidi"), ("Khalid bin Ahmed Sudairi", "Khalid bin Hamad Sudairi"),
    ("Ali ibn Hussein Jaziri", "Ali ibn Hassan Jaziri"), ("Salah al-Din Karimi", "Saif al-Din Karimi"),
    ("Ewan MacDonald", "Ewan MacDougall"), ("Shauna McCarthy", "Shauna McCartney"),
    ("Pieter van der Berg", "Pieter van der Beek"), ("Willem van den Bosch", "Willem van den Broek"),
    ("Karl von Braun", "Karl von Brandt"), ("Luis de la Cruz", "Luis de la Costa"),
    ("Maria dos Santos", "Maria dos Reis"), ("Sean O'Connor", "Sean O'Conner"),
    ("Abdullah al-Mahdi", "Abdullah al-Hadi"), ("Abdul Majid Tayeb", "Abdul Hamid Tayeb"),
    ("Fiona MacGregor", "Fiona MacGowan"), ("Callum MacKenzie", "Callum MacKinnon"),
    ("Iain MacLeod", "Iain MacLean"), ("Jan van Dijk", "Jan van Dam"),
    ("Abdul Qadir Noorzai", "Abdul Qadeer Nurzai"), ("Hamad bin Jassim Kuwari", "Hamad bin Jabor Kuwari"),
]

# ---------------------------------------------------------------------------------------
# Companies: words and legal forms in several languages.

COMPANY_WORDS = [
    "Alpha", "Orion", "Baltic", "Northern", "Global", "Crescent", "Falcon", "Atlas", "Meridian",
    "Horizon", "Summit", "Pioneer", "Oasis", "Delta", "Sigma", "Vector", "Aurora", "Polar",
    "Emerald", "Sapphire", "Granite", "Harbor", "Silk", "Caspian", "Pacific", "Eastern",
    "Zenith", "Titan", "Nova", "Apex", "Cedar", "Lotus", "Phoenix", "Sterling", "Vanguard",
    "Nordic", "Sahara", "Andes", "Balkan", "Danube",
]
COMPANY_KINDS = [
    "Trading", "Shipping", "Logistics", "Petroleum", "Energy", "Industries", "Holdings",
    "Metals", "Chemicals", "Engineering", "Investments", "Technologies", "Marine", "Aviation",
    "Minerals", "Construction", "Pharmaceuticals", "Electronics", "Textiles", "Foods",
]
LEGAL_FORMS = [
    ("LLC", ["Limited Liability Company", "L.L.C."]), ("Ltd", ["Limited", "Ltd."]),
    ("JSC", ["Joint Stock Company", "J.S.C."]), ("GmbH", ["Gesellschaft mit beschränkter Haftung"]),
    ("Co., Ltd.", ["Company Limited", "Co Ltd"]), ("FZE", ["F.Z.E."]), ("SA", ["S.A."]),
    ("Inc.", ["Incorporated", "Inc"]), ("PJSC", ["Public Joint Stock Company"]),
    ("Sdn Bhd", ["Sdn. Bhd."]),
]
RU_COMPANY_WORDS = [
    ("Альфа", "Alfa"), ("Орион", "Orion"), ("Балтика", "Baltika"), ("Север", "Sever"),
    ("Восток", "Vostok"), ("Урал", "Ural"), ("Сибирь", "Sibir"), ("Техно", "Tekhno"),
    ("Энерго", "Energo"), ("Нефть", "Neft"), ("Газ", "Gaz"), ("Металл", "Metall"),
    ("Транс", "Trans"), ("Строй", "Stroy"), ("Пром", "Prom"), ("Инвест", "Invest"),
    ("Сервис", "Servis"), ("Торг", "Torg"), ("Флот", "Flot"), ("Авиа", "Avia"),
]


# ---------------------------------------------------------------------------------------
# Pair writers per group. Each returns rows for one half of the inventories.


class Rows:
    def __init__(self):
        self.rows = []
        self.seen = set()

    def add(self, a, b, schema, label, category):
        key = (a, b)
        if a == b or key in self.seen or (b, a) in self.seen:
            return
        self.seen.add(key)
        self.rows.append((a, b, schema, label, category))


def ru_person(rng, given_m, given_f, surnames):
    feminine = rng.random() < 0.3
    given = rng.choice(given_f if feminine else given_m)
    father = rng.choice(given_m)
    surname = rng.choice(surnames)
    if feminine:
        surname = ru_feminine(surname)
    return given, ru_patronymic(father, feminine), surname, feminine


def ru_latin(words, system):
    return " ".join(romanise_ru(w, system) for w in words)


def cyrillic_rows(seed, given_m, given_f, surnames, near):
    rng = random.Random(seed)
    out = Rows()
    for _ in range(30):
        g, p, s, _ = ru_person(rng, given_m, given_f, surnames)
        system = rng.choice(RU_SYSTEMS)
        native = rng.choice([f"{g} {s}", f"{s} {g} {p}", f"{g} {p} {s}"])
        latin = rng.choice(
            [ru_latin([g, s], system), ru_latin([s, g], system).upper(),
             ru_latin([g, p, s], system), f"{romanise_ru(s, system).upper()}, {ru_latin([g, p], system)}"]
        )
        out.add(native, latin, "Person", 1, "script")
    for _ in range(18):
        g, p, s, _ = ru_person(rng, given_m, given_f, surnames)
        a, b = rng.sample(RU_SYSTEMS, 2)
        out.add(ru_latin([g, s], a), ru_latin([g, s], b), "Person", 1, "spelling")
    for _ in range(15):
        g, p, s, _ = ru_person(rng, given_m, given_f, surnames)
        system = rng.choice(RU_SYSTEMS)
        latin = ru_latin([g, s], system)
        if rng.random() < 0.5:
            out.add(f"{g} {s}", typo_name(latin, rng), "Person", 1, "typo")
        else:
            out.add(latin, typo_name(latin, rng), "Person", 1, "typo")
    for _ in range(10):
        g, p, s, _ = ru_person(rng, given_m, given_f, surnames)
        system = rng.choice(RU_SYSTEMS)
        out.add(ru_latin([g, p, s], system), ru_latin([g, s], system), "Person", 1, "partial")
    # Negatives.
    for _ in range(22):
        g, p, s, fem = ru_person(rng, given_m, given_f, surnames)
        s2 = rng.choice([x for x in surnames if x != s])
        if fem:
            s2 = ru_feminine(s2)
        system = rng.choice(RU_SYSTEMS)
        out.add(f"{g} {s}", ru_latin([g, s2], system), "Person", 0, "diff_surname")
    for _ in range(15):
        g, p, s, fem = ru_person(rng, given_m, given_f, surnames)
        pool = given_f if fem else given_m
        g2 = rng.choice([x for x in pool if x != g])
        system = rng.choice(RU_SYSTEMS)
        out.add(f"{g} {s}", ru_latin([g2, s], system), "Person", 0, "diff_given")
    for _ in range(10):
        g = rng.choice(given_m)
        gf = rng.choice(given_f)
        s = rng.choice(surnames)
        system = rng.choice(RU_SYSTEMS)
        if ru_feminine(s) == s:
            continue
        out.add(f"{g} {s}", ru_latin([gf, ru_feminine(s)], system), "Person", 0, "gender")
    for s1, s2 in near:
        g = rng.choice(given_m)
        system = rng.choice(RU_SYSTEMS)
        native_first = rng.random() < 0.5
        out.add(f"{g} {s1}" if native_first else ru_latin([g, s1], system),
                ru_latin([g, s2], system), "Person", 0, "near")
    for _ in range(10):
        a = ru_person(rng, given_m, given_f, surnames)
        b = ru_person(rng, given_m, given_f, surnames)
        if a[0] == b[0] or a[2] == b[2]:
            continue
        out.add(f"{a[0]} {a[2]}", ru_latin([b[0], b[2]], rng.choice(RU_SYSTEMS)), "Person", 0, "unrelated")
    return out.rows


def variants(text):
    return text.split("|")


def arabic_like_rows(seed, given, family, near, article_drop):
    """Rows for an Arabic-script group (Arabic or Persian names)."""
    rng = random.Random(seed)
    out = Rows()
    men = [g for g in given if g[0] == "m"]

    def person():
        g = rng.choice(given)
        f = rng.choice(men)
        fam = rng.choice(family)
        return g, f, fam

    def latin_parts(parts, with_father):
        words = [rng.choice(variants(parts[0][2]))]
        if with_father:
            words.append(rng.choice(variants(parts[1][2])))
        return " ".join(words), rng.choice(variants(parts[2][1]))

    def latin(parts, with_father):
        front, family_name = latin_parts(parts, with_father)
        return f"{front} {family_name}"

    def native(parts, with_father):
        words = [parts[0][1]]
        if with_father:
            words.append(parts[1][1])
        words.append(parts[2][0])
        return " ".join(words)

    for _ in range(32):
        p = person()
        wf = rng.random() < 0.5
        front, family_name = latin_parts(p, wf)
        lat = f"{front} {family_name}"
        if rng.random() < 0.3:
            lat = f"{family_name.upper()}, {front}"
        out.add(native(p, wf), lat, "Person", 1, "script")
    for _ in range(18):
        p = person()
        wf = rng.random() < 0.5
        a, b = latin(p, wf), latin(p, wf)
        out.add(a, b, "Person", 1, "spelling")
    for _ in range(15):
        p = person()
        wf = rng.random() < 0.5
        lat = latin(p, wf)
        first = native(p, wf) if rng.random() < 0.4 else lat
        out.add(first, typo_name(lat, rng), "Person", 1, "typo")
    for _ in range(10):
        p = person()
        out.add(native(p, True) if rng.random() < 0.5 else latin(p, True), latin(p, False),
                "Person", 1, "partial")
    # Negatives.
    for _ in range(22):
        p = person()
        fam2 = rng.choice([f for f in family if f != p[2]])
        q = (p[0], p[1], fam2)
        wf = rng.random() < 0.5
        out.add(native(p, wf), latin(q, wf), "Person", 0, "diff_surname")
    for _ in range(15):
        p = person()
        g2 = rng.choice([g for g in given if g != p[0] and g[0] == p[0][0]])
        q = (g2, p[1], p[2])
        wf = rng.random() < 0.5
        out.add(native(p, wf) if rng.random() < 0.6 else latin(p, wf), latin(q, wf), "Person", 0, "diff_given")
    for n1, l1, n2, l2 in near:
        fam = rng.choice(family)
        fam_latin = rng.choice(variants(fam[1]))
        if rng.random() < 0.6:
            out.add(f"{n1} {fam[0]}", f"{l2} {fam_latin}", "Person", 0, "near")
        else:
            out.add(f"{l1} {fam_latin}", f"{l2} {fam_latin}", "Person", 0, "near")
    for _ in range(12):
        p, q = person(), person()
        if p[0] == q[0] or p[2] == q[2]:
            continue
        out.add(native(p, False), latin(q, False), "Person", 0, "unrelated")
    # Two-word names whose words are short: they meet others by accident most easily.
    for _ in range(8):
        p = person()
        fam2 = rng.choice([f for f in family if f != p[2]])
        g2 = rng.choice([g for g in given if g != p[0]])
        out.add(f"{p[0][1]} {p[2][0]}", f"{rng.choice(variants(g2[2]))} {rng.choice(variants(fam2[1]))}",
                "Person", 0, "unrelated")
    return out.rows


def han_latin(surname, given_chars, style, rng):
    sur = surname[1] if style != "wg" else surname[2]
    syll = [g[1] if style != "wg" else g[2] for g in given_chars]
    if style == "wg":
        given = "-".join(syll)
        given = given[:1].upper() + given[1:]
        return rng.choice([f"{sur} {given}", f"{sur.upper()}, {given}"])
    given = "".join(syll)
    given = given[:1].upper() + given[1:]
    forms = [f"{sur} {given}", f"{sur.upper()} {given}", f"{given} {sur}", f"{sur}, {given}"]
    if len(syll) == 2:
        forms.append(f"{sur} {syll[0].capitalize()} {syll[1].capitalize()}")
        forms.append(f"{sur} {syll[0].capitalize()}-{syll[1]}")
    return rng.choice(forms)


def han_rows(seed, surnames, given, homophones):
    rng = random.Random(seed)
    out = Rows()

    def person():
        n = 2 if rng.random() < 0.75 else 1
        return rng.choice(surnames), [rng.choice(given) for _ in range(n)]

    def native(p):
        return p[0][0] + "".join(g[0] for g in p[1])

    for _ in range(35):
        p = person()
        out.add(native(p), han_latin(p[0], p[1], "pinyin", rng), "Person", 1, "script")
    for _ in range(10):
        p = person()
        out.add(native(p), han_latin(p[0], p[1], "wg", rng), "Person", 1, "wade_giles")
    for _ in range(15):
        p = person()
        out.add(han_latin(p[0], p[1], "pinyin", rng), han_latin(p[0], p[1], "pinyin", rng),
                "Person", 1, "spelling")
    for _ in range(12):
        p = person()
        lat = han_latin(p[0], p[1], "pinyin", rng)
        out.add(native(p) if rng.random() < 0.5 else han_latin(p[0], p[1], "pinyin", rng),
                typo_name(lat, rng), "Person", 1, "typo")
    # Negatives.
    for _ in range(22):
        p = person()
        s2 = rng.choice([s for s in surnames if s[1] != p[0][1]])
        out.add(native(p), han_latin(s2, p[1], "pinyin", rng), "Person", 0, "diff_surname")
    for _ in range(22):
        p = person()
        g = list(p[1])
        i = rng.randrange(len(g))
        g[i] = rng.choice([x for x in given if x[1] != g[i][1]])
        out.add(native(p), han_latin(p[0], g, "pinyin", rng), "Person", 0, "diff_given")
    for a, b in homophones:
        s = rng.choice(surnames)
        g = rng.choice(given)
        if any(a == x[0] for x in surnames) or rng.random() < 0.5:
            out.add(a + g[0], b + g[0], "Person", 0, "homophone")
        else:
            out.add(s[0] + a, s[0] + b, "Person", 0, "homophone")
    for _ in range(10):
        p, q = person(), person()
        if p[0] == q[0]:
            continue
        out.add(native(p), han_latin(q[0], q[1], "pinyin", rng), "Person", 0, "unrelated")
    return out.rows


def ko_latin(surname, syllables, style, rng):
    sur = rng.choice(variants(surname[1]))
    if style == "rr":
        sy = [s[1] for s in syllables]
        given = rng.choice(["-".join(sy), "".join(sy)])
    elif style == "mr":
        sy = [s[2] for s in syllables]
        given = rng.choice([" ".join(x.capitalize() for x in sy), "-".join(sy)])
    else:
        sy = [s[3] for s in syllables]
        given = rng.choice(["-".join(sy), " ".join(x.capitalize() for x in sy)])
    given = given[:1].upper() + given[1:]
    forms = [f"{sur} {given}", f"{sur.upper()} {given.upper()}", f"{given} {sur}"]
    return rng.choice(forms)


def hangul_rows(seed, surnames, syllables):
    rng = random.Random(seed)
    out = Rows()
    styles = ["rr", "mr", "customary"]

    def person():
        return rng.choice(surnames), rng.sample(syllables, 2)

    def native(p, spaced=False):
        given = "".join(s[0] for s in p[1])
        return f"{p[0][0]} {given}" if spaced else p[0][0] + given

    for _ in range(35):
        p = person()
        out.add(native(p, rng.random() < 0.3), ko_latin(p[0], p[1], rng.choice(styles), rng),
                "Person", 1, "script")
    for _ in range(15):
        p = person()
        a, b = rng.sample(styles, 2)
        out.add(ko_latin(p[0], p[1], a, rng), ko_latin(p[0], p[1], b, rng), "Person", 1, "spelling")
    for _ in range(10):
        p = person()
        lat = ko_latin(p[0], p[1], rng.choice(styles), rng)
        out.add(native(p) if rng.random() < 0.5 else lat, typo_name(lat, rng), "Person", 1, "typo")
    # Negatives: one syllable of the given name differs, or the surname.
    for _ in range(30):
        p = person()
        g = list(p[1])
        i = rng.randrange(2)
        g[i] = rng.choice([s for s in syllables if s[0] != g[i][0] and s not in g])
        out.add(native(p, rng.random() < 0.3), ko_latin(p[0], g, rng.choice(styles), rng),
                "Person", 0, "diff_given")
    for _ in range(15):
        p = person()
        s2 = rng.choice([s for s in surnames if s[0] != p[0][0]])
        out.add(native(p), ko_latin(s2, p[1], rng.choice(styles), rng), "Person", 0, "diff_surname")
    for _ in range(10):
        p = person()
        g = list(p[1])
        g[rng.randrange(2)] = rng.choice([s for s in syllables if s[0] not in (g[0][0], g[1][0])])
        out.add(native(p), native((p[0], g)), "Person", 0, "diff_given")
    for _ in range(10):
        p, q = person(), person()
        if p[0] == q[0]:
            continue
        out.add(native(p), ko_latin(q[0], q[1], rng.choice(styles), rng), "Person", 0, "unrelated")
    return out.rows


def latin_rows(seed, given, surnames, near, given_near):
    rng = random.Random(seed)
    out = Rows()

    def person():
        return rng.choice(given), rng.choice(surnames)

    def spell(p, plain=False):
        g = variants(p[0][1])
        s = variants(p[1])
        return (g[-1] if plain else rng.choice(g)), (s[-1] if plain else rng.choice(s))

    for _ in range(25):
        p = person()
        a = spell(p)
        b = spell(p, plain=True)
        out.add(f"{a[0]} {a[1]}", f"{b[0]} {b[1]}", "Person", 1, "spelling")
    for _ in range(25):
        p = person()
        a = spell(p)
        name = f"{a[0]} {a[1]}"
        out.add(name, typo_name(name, rng), "Person", 1, "typo")
    for _ in range(15):
        p = person()
        a = spell(p)
        out.add(f"{a[0]} {a[1]}", f"{a[1].upper()}, {a[0]}", "Person", 1, "reorder")
    for _ in range(10):
        p = person()
        mid = rng.choice(given)
        a = spell(p)
        out.add(f"{a[0]} {variants(mid[1])[-1]} {a[1]}", f"{a[0]} {a[1]}", "Person", 1, "partial")
    for _ in range(8):
        p = person()
        a = spell(p)
        out.add(f"{a[0][0]}. {a[1]}", f"{a[0]} {a[1]}", "Person", 1, "initials")
    # Negatives.
    for _ in range(22):
        p = person()
        s2 = rng.choice([s for s in surnames if s != p[1]])
        a = spell(p)
        out.add(f"{a[0]} {a[1]}", f"{a[0]} {variants(s2)[-1]}", "Person", 0, "diff_surname")
    for _ in range(12):
        p = person()
        g2 = rng.choice([g for g in given if g != p[0] and g[0] == p[0][0]])
        a = spell(p)
        out.add(f"{a[0]} {a[1]}", f"{variants(g2[1])[-1]} {a[1]}", "Person", 0, "diff_given")
    for s1, s2 in near:
        g = variants(rng.choice(given)[1])[-1]
        out.add(f"{g} {s1}", f"{g} {s2}", "Person", 0, "near")
    for g1, g2 in given_near:
        s = variants(rng.choice(surnames))[-1]
        out.add(f"{g1} {s}", f"{g2} {s}", "Person", 0, "gender")
    for _ in range(10):
        p, q = person(), person()
        if p[0] == q[0] or p[1] == q[1]:
            continue
        a, b = spell(p), spell(q)
        out.add(f"{a[0]} {a[1]}", f"{b[0]} {b[1]}", "Person", 0, "unrelated")
    return out.rows


def particle_rows(seed, names, near):
    rng = random.Random(seed)
    out = Rows()
    for canon, others in names:
        alts = variants(others)
        for alt in alts:
            out.add(canon, alt, "Person", 1, "particle_variant")
        words = canon.split(" ")
        typo_positions = [i for i, w in enumerate(words) if w in PARTICLE_TYPOS]
        for i in typo_positions:
            for t in rng.sample(PARTICLE_TYPOS[words[i]], min(2, len(PARTICLE_TYPOS[words[i]]))):
                typod = list(words)
                typod[i] = t
                target = rng.choice([canon] + alts)
                out.add(" ".join(typod), target, "Person", 1, "particle_typo")
        # A particle joined to its name, with a typo inside it (`Adbulrahman`).
        joined = [w for w in words]
        for i, w in enumerate(words[:-1]):
            if w in ("Abdul", "Abdel", "Abu", "Mac", "Mc", "van", "bin") and w in PARTICLE_TYPOS:
                t = rng.choice(PARTICLE_TYPOS[w])
                glued = joined[:i] + [t + words[i + 1].lower()] + joined[i + 2:]
                out.add(" ".join(glued), canon, "Person", 1, "particle_typo")
                break
        # A typo in the name beside the particle, the particle written another way.
        out.add(typo_name(canon, rng), rng.choice(alts), "Person", 1, "typo")
    for a, b in near:
        out.add(a, b, "Person", 0, "particle_near")
        words = a.split(" ")
        typo_positions = [i for i, w in enumerate(words) if w in PARTICLE_TYPOS]
        if typo_positions:
            i = rng.choice(typo_positions)
            words[i] = rng.choice(PARTICLE_TYPOS[words[i]])
            out.add(" ".join(words), b, "Person", 0, "particle_near")
    for _ in range(12):
        (a, _), (b, _) = rng.sample(names, 2)
        out.add(a, b, "Person", 0, "unrelated")
    return out.rows


def company_rows(seed, words, kinds, ru_words):
    rng = random.Random(seed)
    out = Rows()

    def company():
        return rng.choice(words), rng.choice(kinds), rng.choice(LEGAL_FORMS)

    for _ in range(20):
        w, k, (form, longs) = company()
        out.add(f"{w} {k} {form}", f"{w} {k} {rng.choice(longs)}", "Company", 1, "legal_form")
    for _ in range(12):
        w, k, (form, _) = company()
        w2, k2, (form2, _) = company()
        out.add(f"{w} {k} {form}", f"{w} {k} {form2}", "Company", 1, "legal_form")
    for _ in range(15):
        w, k, (form, _) = company()
        name = f"{w} {k} {form}"
        out.add(name, typo_name(name, rng), "Company", 1, "typo")
    for _ in range(15):
        (ru1, l1), (ru2, l2) = rng.sample(ru_words, 2)
        out.add(f"ООО «{ru1}{ru2.lower()}»", f"{l1}{l2.lower()} LLC", "Company", 1, "script")
    for _ in range(8):
        w, k, (form, _) = company()
        out.add(f"{w} {k} {form}", f"{w.upper()} {k.upper()}", "Company", 1, "legal_form")
    # Negatives.
    for _ in range(18):
        w, k, (form, _) = company()
        k2 = rng.choice([x for x in kinds if x != k])
        out.add(f"{w} {k} {form}", f"{w} {k2} {form}", "Company", 0, "diff_word")
    for _ in range(18):
        w, k, (form, _) = company()
        w2 = rng.choice([x for x in words if x != w])
        out.add(f"{w} {k} {form}", f"{w2} {k} {form}", "Company", 0, "diff_word")
    for _ in range(10):
        w, k, (form, _) = company()
        n1, n2 = rng.sample(range(1, 9), 2)
        out.add(f"{w} {k} {n1} {form}", f"{w} {k} {n2} {form}", "Company", 0, "number")
    for _ in range(10):
        (ru1, l1), (ru2, l2), (ru3, l3) = rng.sample(ru_words, 3)
        out.add(f"ООО «{ru1}{ru2.lower()}»", f"{l1}{l3.lower()} LLC", "Company", 0, "diff_word")
    for _ in range(8):
        a, b = company(), company()
        if a[0] == b[0] or a[1] == b[1]:
            continue
        out.add(f"{a[0]} {a[1]} {a[2][0]}", f"{b[0]} {b[1]} {b[2][0]}", "Company", 0, "unrelated")
    return out.rows


def write_pairs(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name1", "name2", "schema", "label", "category"])
        for row in rows:
            w.writerow(row)


def write_parts(path, parts):
    """Name parts for synthetic persons: kind, native spelling, Latin spellings (`|`)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("# kind\tnative\tlatin spellings (|). Written by make_sets.py.\n")
        for kind, native, latin in parts:
            f.write(f"{kind}\t{native}\t{latin}\n")


def main():
    groups = {}
    # Cyrillic
    gm, gf, sn, near = (split_halves(x) for x in (RU_GIVEN_M, RU_GIVEN_F, RU_SURNAMES, RU_NEAR))
    groups["cyrillic"] = [cyrillic_rows(101 + h, gm[h], gf[h], sn[h], near[h]) for h in (0, 1)]
    # Arabic and Persian
    g, fam, near = (split_halves(x) for x in (AR_GIVEN, AR_FAMILY, AR_NEAR))
    groups["arabic"] = [arabic_like_rows(201 + h, g[h], fam[h], near[h], True) for h in (0, 1)]
    g, fam, near = (split_halves(x) for x in (FA_GIVEN, FA_FAMILY, FA_NEAR))
    groups["persian"] = [arabic_like_rows(301 + h, g[h], fam[h], near[h], False) for h in (0, 1)]
    # Han
    s, g, hom = (split_halves(x) for x in (HAN_SURNAMES, HAN_GIVEN, HAN_HOMOPHONES))
    groups["han"] = [han_rows(401 + h, s[h], g[h], hom[h]) for h in (0, 1)]
    # Hangul
    s, g = (split_halves(x) for x in (KO_SURNAMES, KO_SYLLABLES))
    groups["hangul"] = [hangul_rows(501 + h, s[h], g[h]) for h in (0, 1)]
    # Latin
    g, s, near, gnear = (split_halves(x) for x in (LATIN_GIVEN, LATIN_SURNAMES, LATIN_NEAR, LATIN_GIVEN_NEAR))
    groups["latin"] = [latin_rows(601 + h, g[h], s[h], near[h], gnear[h]) for h in (0, 1)]
    # Particles
    n, near = (split_halves(x) for x in (PARTICLE_NAMES, PARTICLE_NEAR))
    groups["particles"] = [particle_rows(701 + h, n[h], near[h]) for h in (0, 1)]
    # Companies
    w, k, ru = (split_halves(x) for x in (COMPANY_WORDS, COMPANY_KINDS, RU_COMPANY_WORDS))
    groups["company"] = [company_rows(801 + h, w[h], k[h], ru[h]) for h in (0, 1)]

    for name, (tune, heldout) in groups.items():
        write_pairs(os.path.join(HERE, "tune", f"{name}.csv"), tune)
        write_pairs(os.path.join(HERE, "heldout", f"{name}.csv"), heldout)
        print(f"{name}: {len(tune)} tune, {len(heldout)} held-out pairs")

    # Parts for synthetic persons (both halves: the false-alert benchmark is not a tuning set).
    parts = []
    for gname in RU_GIVEN_M:
        parts.append(("given", gname, "|".join(sorted({romanise_ru(gname, s) for s in RU_SYSTEMS}))))
        parts.append(("middle", ru_patronymic(gname, False), "|".join(sorted({romanise_ru(ru_patronymic(gname, False), s) for s in RU_SYSTEMS}))))
    for sname in RU_SURNAMES:
        parts.append(("surname", sname, "|".join(sorted({romanise_ru(sname, s) for s in RU_SYSTEMS}))))
    write_parts(os.path.join(HERE, "parts", "cyrillic.tsv"), parts)
    for name, given, family in (("arabic", AR_GIVEN, AR_FAMILY), ("persian", FA_GIVEN, FA_FAMILY)):
        parts = [("given", n, l) for (k, n, l) in given if k == "m"]
        parts += [("middle", n, l) for (k, n, l) in given if k == "m"]
        parts += [("surname", n, l) for (n, l) in family]
        write_parts(os.path.join(HERE, "parts", f"{name}.tsv"), parts)
    parts = [("surname", c, f"{p}|{w}") for (c, p, w) in HAN_SURNAMES]
    parts += [("syllable", c, f"{p}|{w}") for (c, p, w) in HAN_GIVEN]
    write_parts(os.path.join(HERE, "parts", "han.tsv"), parts)
    parts = [("surname", c, v) for (c, v) in KO_SURNAMES]
    parts += [("syllable", c, f"{rr}|{mr}|{cu}") for (c, rr, mr, cu) in KO_SYLLABLES]
    write_parts(os.path.join(HERE, "parts", "hangul.tsv"), parts)
    parts = [("given", v.split("|")[0], v) for (_, v) in LATIN_GIVEN]
    parts += [("surname", v.split("|")[0], v) for v in LATIN_SURNAMES]
    write_parts(os.path.join(HERE, "parts", "latin.tsv"), parts)


if __name__ == "__main__":
    main()
