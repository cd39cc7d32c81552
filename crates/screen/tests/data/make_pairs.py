#!/usr/bin/env python3
"""Writes pairs.csv: labelled name pairs for calibrating and benchmarking name screening.

Written for Accord (not copied from any dataset). Names of public figures are from public
knowledge; the rest are made up. Run from this directory: `python3 make_pairs.py`. The
output is deterministic (fixed seed), so re-running reproduces the committed file.

Columns: name1,name2,schema,label,category — label 1 when both names denote the same
entity, 0 when they do not.
"""

import csv
import random

rng = random.Random(6)
rows = []


def add(a, b, schema, label, category):
    rows.append((a, b, schema, label, category))


# --- The same person in several scripts (hand-written) --------------------------------
SCRIPTS = [
    ("Vladimir Putin", "Владимир Путин"),
    ("Vladimir Vladimirovich Putin", "Путин Владимир Владимирович"),
    ("Dmitry Medvedev", "Дмитрий Медведев"),
    ("Sergey Lavrov", "Сергей Лавров"),
    ("Sergei Shoigu", "Сергей Шойгу"),
    ("Alisher Usmanov", "Алишер Усманов"),
    ("Roman Abramovich", "Роман Абрамович"),
    ("Oleg Deripaska", "Олег Дерипаска"),
    ("Igor Sechin", "Игорь Сечин"),
    ("Yuri Kovalchuk", "Юрий Ковальчук"),
    ("Gennady Timchenko", "Геннадий Тимченко"),
    ("Arkady Rotenberg", "Аркадий Ротенберг"),
    ("Boris Rotenberg", "Борис Ротенберг"),
    ("Mikhail Fridman", "Михаил Фридман"),
    ("Petr Aven", "Пётр Авен"),
    ("Viktor Vekselberg", "Виктор Вексельберг"),
    ("Alexey Miller", "Алексей Миллер"),
    ("Nikolai Patrushev", "Николай Патрушев"),
    ("Alexander Bortnikov", "Александр Бортников"),
    ("Ramzan Kadyrov", "Рамзан Кадыров"),
    ("Yevgeny Prigozhin", "Евгений Пригожин"),
    ("Alexander Lukashenko", "Александр Лукашенко"),
    ("Suleiman Kerimov", "Сулейман Керимов"),
    ("Andrey Melnichenko", "Андрей Мельниченко"),
    ("Vladimir Potanin", "Владимир Потанин"),
    ("Dmitry Peskov", "Дмитрий Песков"),
    ("Maria Zakharova", "Мария Захарова"),
    ("Valentina Matviyenko", "Валентина Матвиенко"),
    ("Vyacheslav Volodin", "Вячеслав Володин"),
    ("Sergei Chemezov", "Сергей Чемезов"),
    ("Herman Gref", "Герман Греф"),
    ("Andrey Kostin", "Андрей Костин"),
    ("Mikhail Mishustin", "Михаил Мишустин"),
    ("Viktor Yanukovych", "Віктор Янукович"),
    ("Yury Chaika", "Юрий Чайка"),
    ("Natalia Poklonskaya", "Наталья Поклонская"),
    ("Mikhail Khodorkovsky", "Михаил Ходорковский"),
    ("Vladimir Zhirinovsky", "Владимир Жириновский"),
    ("Aleksandr Dugin", "Александр Дугин"),
    ("Konstantin Malofeev", "Константин Малофеев"),
    ("Mohammed bin Salman", "محمد بن سلمان"),
    ("Osama bin Laden", "أسامة بن لادن"),
    ("Bashar al-Assad", "بشار الأسد"),
    ("Maher al-Assad", "ماهر الأسد"),
    ("Ayman al-Zawahiri", "أيمن الظواهري"),
    ("Abu Bakr al-Baghdadi", "أبو بكر البغدادي"),
    ("Hassan Nasrallah", "حسن نصر الله"),
    ("Ali Khamenei", "علي خامنئي"),
    ("Qasem Soleimani", "قاسم سليماني"),
    ("Muammar Gaddafi", "معمر القذافي"),
    ("Saddam Hussein", "صدام حسين"),
    ("Izzat Ibrahim al-Douri", "عزت إبراهيم الدوري"),
    ("Abdul-Malik al-Houthi", "عبد الملك الحوثي"),
    ("Ismail Haniyeh", "إسماعيل هنية"),
    ("Yahya Sinwar", "يحيى السنوار"),
    ("Khaled Mashal", "خالد مشعل"),
    ("Mohammed Deif", "محمد ضيف"),
    ("Hafiz Saeed", "حافظ سعيد"),
    ("Dawood Ibrahim", "داود إبراهيم"),
    ("Abd al-Rahman Mustafa", "عبد الرحمن مصطفى"),
    ("Mahmoud Ahmadinejad", "محمود احمدی‌نژاد"),
    ("Javad Zarif", "جواد ظریف"),
    ("Hassan Rouhani", "حسن روحانی"),
    ("Ebrahim Raisi", "ابراهیم رئیسی"),
    ("Xi Jinping", "习近平"),
    ("Li Keqiang", "李克强"),
    ("Wang Yi", "王毅"),
    ("Hu Jintao", "胡锦涛"),
    ("Wen Jiabao", "温家宝"),
    ("Li Qiang", "李强"),
    ("Wang Qishan", "王岐山"),
    ("Han Zheng", "韩正"),
    ("Zhao Leji", "赵乐际"),
    ("Guo Wengui", "郭文贵"),
    ("Meng Wanzhou", "孟晚舟"),
    ("Ren Zhengfei", "任正非"),
    ("Kim Jong Un", "김정은"),
    ("Kim Yo Jong", "김여정"),
    ("Choe Ryong Hae", "최룡해"),
]
for a, b in SCRIPTS:
    add(a, b, "Person", 1, "script")

# --- Latin spellings of the same name (hand-written) ------------------------------------
SPELLINGS = [
    ("Muammar Gaddafi", "Moammar Qadhafi"),
    ("Muammar Gaddafi", "Muammar al-Qaddafi"),
    ("Osama bin Laden", "Usama bin Ladin"),
    ("Mikhail Khodorkovsky", "Michail Chodorkowski"),
    ("Yevgeny Prigozhin", "Evgeniy Prigojine"),
    ("Alexei Navalny", "Aleksey Navalnyy"),
    ("Pyotr Aven", "Petr Aven"),
    ("Gennady Timchenko", "Gennadiy Timtchenko"),
    ("Igor Sechin", "Igor Setchine"),
    ("Muhammad Yusuf", "Mohammed Yousef"),
    ("Abdulrahman Al-Khalifa", "Abd al-Rahman Khalifa"),
    ("Qasem Soleimani", "Ghasem Soleimani"),
    ("Qasem Soleimani", "Kassem Suleimani"),
    ("Hassan Nasrallah", "Hasan Nasrallah"),
    ("Ali Khamenei", "Sayyid Ali Hosseini Khamenei"),
    ("Alisher Usmanov", "Alisher Ousmanov"),
    ("Roman Abramovich", "Roman Abramowitsch"),
    ("Oleg Deripaska", "Oleg Deripasca"),
    ("Yuri Kovalchuk", "Iurii Koval'chuk"),
    ("Yuri Kovalchuk", "Jurij Kowaltschuk"),
    ("Dmitry Medvedev", "Dmitrii Medvedev"),
    ("Dmitry Peskov", "Dmitriy Peskov"),
    ("Sergey Lavrov", "Sergei Lavrov"),
    ("Sergei Shoigu", "Sergey Shoygu"),
    ("Arkady Rotenberg", "Arkadiy Rotenberg"),
    ("Vyacheslav Volodin", "Viacheslav Volodin"),
    ("Yevgeny Prigozhin", "Yevgeniy Prigozhin"),
    ("Natalia Poklonskaya", "Natalya Poklonskaya"),
    ("Alexander Lukashenko", "Aliaksandr Lukashenka"),
    ("Viktor Yanukovych", "Viktor Yanukovich"),
    ("Mohamed Salah Eddine", "Muhammad Salah al-Din"),
    ("Abdullah Azzam", "Abdallah Azzam"),
    ("Ayman al-Zawahiri", "Aiman el-Zawahry"),
    ("Abu Musab al-Zarqawi", "Abu Mus'ab al-Zarqawi"),
    ("Khalid Sheikh Mohammed", "Khaled Shaikh Mohammad"),
    ("Omar Abdel Rahman", "Umar Abd al-Rahman"),
    ("Hafiz Muhammad Saeed", "Hafez Mohammad Sayeed"),
    ("Joaquin Guzman Loera", "Joaquín Guzmán Loera"),
    ("Nicolas Maduro Moros", "Nicolás Maduro Moros"),
    ("Miguel Diaz-Canel", "Miguel Díaz Canel"),
    ("Sheikh Tamim bin Hamad", "Tamim bin Hamad"),
    ("Wladimir Klitschko", "Vladimir Klichko"),
    ("Tatiana Golikova", "Tatyana Golikova"),
    ("Svetlana Medvedeva", "Swetlana Medwedewa"),
    ("Elvira Nabiullina", "El'vira Nabiullina"),
    ("Yelena Baturina", "Elena Baturina"),
    ("Xi Jinping", "Xi Jin-ping"),
    ("Meng Wanzhou", "MENG Wan Zhou"),
    ("Kim Jong Un", "Kim Jong-un"),
    ("Choe Ryong Hae", "Choe Ryong-hae"),
]
for a, b in SPELLINGS:
    add(a, b, "Person", 1, "spelling")

# --- Companies: the same company under other legal forms and scripts (hand-written) ----
COMPANIES = [
    ("Gazprom PJSC", "ПАО «Газпром»"),
    ("Gazprom PJSC", "Public Joint Stock Company Gazprom"),
    ("OAO Gazprom", "Gazprom"),
    ("VTB Bank PJSC", "Банк ВТБ (ПАО)"),
    ("Rosoboronexport JSC", "АО «Рособоронэкспорт»"),
    ("Almaz-Antey Concern", "Концерн Алмаз-Антей"),
    ("Sovcomflot PAO", "Sovcomflot PJSC"),
    ("Novatek", "ПАО Новатэк"),
    ("Promsvyazbank", "ПАО Промсвязьбанк"),
    ("Rostec State Corporation", "Государственная корпорация Ростех"),
    ("Huawei Technologies Co., Ltd.", "Huawei Technologies Company Limited"),
    ("Huawei Technologies Co., Ltd.", "华为技术有限公司"),
    ("Mahan Air", "Mahan Airlines"),
    ("Islamic Republic of Iran Shipping Lines", "Islamic Republic Of Iran Shipping Lines (IRISL)"),
    ("Bank Melli Iran", "Bank Melli"),
    ("Banco Nacional de Cuba", "Banco Nacional de Cuba S.A."),
    ("Petroleos de Venezuela S.A.", "Petróleos de Venezuela, SA"),
    ("Korea Kwangson Banking Corp", "Korea Kwangson Banking Corporation"),
    ("Al-Qard Al-Hassan Association", "Al Qard al Hassan Association"),
    ("Wagner Group", "Группа Вагнера"),
]
for a, b in COMPANIES:
    add(a, b, "Company", 1, "company")

LEGAL_PAIRS = [
    ("{} LLC", "{} Limited Liability Company"),
    ("{} LLC", "OOO {}"),
    ("{} GmbH", "{} Gesellschaft mit beschränkter Haftung"),
    ("{} Co., Ltd.", "{} Company Limited"),
    ("{} JSC", "AO {}"),
    ("{} PJSC", "{} Public Joint Stock Company"),
    ("{} Ltd", "{} Limited"),
    ("{} Inc.", "{} Corporation"),
    ("{} SARL", "{} S.A.R.L."),
    ("{} FZE", "{} FZCO"),
    ("{} LLC", "ООО {}"),
    ("{} S.A.", "{} SA"),
    ("{} Sp. z o.o.", "{} LLC"),
    ("{} Trading LLC", "{} Trading L.L.C."),
]
COMPANY_STEMS = [
    "Sea Falcon", "Blue Ocean Shipping", "Arctic Star Trading", "Eastern Gate Logistics",
    "Golden Crescent", "Nordic Bridge", "Caspian Energy", "Silk Road Holdings",
    "Polar Light", "Red Anchor Marine", "Meridian Petroleum", "Aurora Metals",
    "Green Valley Agro", "Horizon Avia", "Baltic Amber", "Crimson Tide Exports",
    "Falcon Eye Security", "Iron Gate Capital", "Jade Dragon Imports", "Kestrel Maritime",
    "Lotus Chemical", "Monarch Freight", "Orion Dynamics", "Pacific Pearl",
    "Quantum Alloys", "Royal Cedar", "Sapphire Bay", "Titan Forge",
    "Unity Petrochemical", "Vostok Machinery",
]
CYRILLIC_STEMS = {
    "Sea Falcon": "Си Фалкон", "Polar Light": "Полар Лайт", "Baltic Amber": "Балтик Амбер",
    "Vostok Machinery": "Восток Машинери", "Titan Forge": "Титан Фордж",
    "Aurora Metals": "Аврора Металс", "Caspian Energy": "Каспиан Энерджи",
}
for i, stem in enumerate(COMPANY_STEMS):
    left, right = LEGAL_PAIRS[i % len(LEGAL_PAIRS)]
    if "ООО" in right and stem in CYRILLIC_STEMS:
        add(left.format(stem), right.format(CYRILLIC_STEMS[stem]), "Company", 1, "legal_form")
    else:
        add(left.format(stem), right.format(stem), "Company", 1, "legal_form")
    left, right = LEGAL_PAIRS[(i * 7 + 3) % len(LEGAL_PAIRS)]
    add(left.format(stem), right.format(stem), "Company", 1, "legal_form")
for stem, cyr in CYRILLIC_STEMS.items():
    add(f"{stem} LLC", f"ООО «{cyr}»", "Company", 1, "legal_form")

# --- Generated person names and their variants ------------------------------------------
GIVEN = [
    "Ahmed", "Alexander", "Alexei", "Ali", "Amir", "Anatoly", "Andrei", "Anna", "Arturo",
    "Boris", "Carlos", "Chen", "Daniel", "Darya", "Dmitri", "Elena", "Fatima", "Farid",
    "Fernando", "Gennady", "Grigory", "Hamid", "Hassan", "Hussein", "Ibrahim", "Igor",
    "Irina", "Ivan", "Jamal", "Javier", "Karim", "Khalid", "Konstantin", "Leila", "Luis",
    "Mahmoud", "Maria", "Marat", "Mikhail", "Mohammed", "Mustafa", "Nadia", "Natalia",
    "Nikolai", "Olga", "Omar", "Pavel", "Rashid", "Ruslan", "Said", "Salim", "Sergei",
    "Svetlana", "Tariq", "Timur", "Viktor", "Vladimir", "Walid", "Yasmin", "Yusuf", "Zaid",
]
SURNAMES = [
    "Abdullayev", "Alvarez", "Antonov", "Baranov", "Belov", "Chaudhry", "Dzhabarov",
    "Fedorov", "Gasparyan", "Gonzalez", "Haddad", "Hakimi", "Ismailov", "Jaber",
    "Karimov", "Khalil", "Kovalenko", "Kuznetsov", "Lebedev", "Mansour", "Markov",
    "Nasser", "Nazarov", "Novikov", "Orlov", "Petrenko", "Qureshi", "Rahimi", "Romanov",
    "Saleh", "Sokolov", "Tkachenko", "Usmani", "Volkov", "Yakovlev", "Zaitsev", "Zakaria",
    "Medina", "Herrera", "Castillo", "Morozov", "Pavlenko", "Sharif", "Tahir", "Rostami",
]
MIDDLE = ["Ivanovich", "Petrovich", "Sergeyevich", "Aleksandrovich", "bin Ahmed", "Abdullah", "Maria", "Jose"]

people = set()
while len(people) < 120:
    people.add((rng.choice(GIVEN), rng.choice(SURNAMES)))
people = sorted(people)
rng.shuffle(people)

LETTERS = "abcdefghijklmnoprstuvy"


def typo(word):
    """One random edit: substitution, deletion, insertion or transposition."""
    if len(word) < 4:
        return word + rng.choice(LETTERS)
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(["sub", "del", "ins", "swap"])
    if op == "sub":
        return word[:i] + rng.choice(LETTERS) + word[i + 1:]
    if op == "del":
        return word[:i] + word[i + 1:]
    if op == "ins":
        return word[:i] + rng.choice(LETTERS) + word[i:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


for n, (given, surname) in enumerate(people):
    full = f"{given} {surname}"
    kind = n % 6
    if kind == 0:
        add(full, f"{typo(given)} {surname}", "Person", 1, "typo")
        add(full, f"{given} {typo(surname)}", "Person", 1, "typo")
    elif kind == 1:
        add(full, f"{surname.upper()}, {given}", "Person", 1, "reorder")
        add(full, f"{surname} {given}", "Person", 1, "reorder")
    elif kind == 2:
        add(full, f"{given[0]}. {surname}", "Person", 1, "initials")
        add(full, f"{typo(given)} {typo(surname)}", "Person", 1, "typo")
    elif kind == 3:
        middle = rng.choice(MIDDLE)
        add(f"{given} {middle} {surname}", full, "Person", 1, "partial")
        add(f"{surname} {given} {middle}", full, "Person", 1, "reorder")
    elif kind == 4:
        add(full, f"{given.lower()} {surname.lower()}", "Person", 1, "case")
        add(full, f"{surname.upper()} {typo(given).upper()}", "Person", 1, "typo")
    else:
        add(full, f"{given}-{surname}", "Person", 1, "punctuation")
        add(full, f"{typo(surname)}, {given}", "Person", 1, "typo")

# --- Hard negatives: different people with similar names (hand-written) ------------------
HARD = [
    ("Boris Rotenberg", "Arkady Rotenberg"),
    ("Bashar al-Assad", "Maher al-Assad"),
    ("Kim Jong Un", "Kim Jong Il"),
    ("Kim Yo Jong", "Kim Jong Un"),
    ("Kim Jong Un", "Kim Jong Nam"),
    ("Alexander Ivanov", "Alexandra Ivanova"),
    ("Sergei Ivanov", "Sergei Ivanova"),
    ("Ivan Petrov", "Ivana Petrova"),
    ("Dmitry Medvedev", "Svetlana Medvedeva"),
    ("Ali Hassan", "Ali Hussein"),
    ("Mohammed Salman", "Mohammed Salim"),
    ("Hassan Rouhani", "Hassan Rahimi"),
    ("Yuri Kovalchuk", "Boris Kovalchuk"),
    ("Mikhail Fridman", "Mikhail Fradkov"),
    ("Vladimir Putin", "Vladimir Pitin"),
    ("Igor Sechin", "Igor Sechkin"),
    ("Gennady Timchenko", "Gennady Tymoshenko"),
    ("Yulia Tymoshenko", "Yulia Timchenko"),
    ("Xi Jinping", "Xi Jinhua"),
    ("Li Keqiang", "Li Qiang"),
    ("Wang Yi", "Wang Yu"),
    ("张伟", "章玮"),
    ("王毅", "王一"),
    ("Hu Jintao", "Hu Jinping"),
    ("Osama bin Laden", "Omar bin Laden"),
    ("Hamza bin Laden", "Osama bin Laden"),
    ("Saif al-Islam Gaddafi", "Muammar Gaddafi"),
    ("Mohammed bin Salman", "Mohammed bin Nayef"),
    ("Abdullah Azzam", "Abdul Aziz"),
    ("Abdul Rahman", "Abdul Rahim"),
    ("Khalid Mashal", "Khalil Mashal"),
    ("Omar Suleiman", "Omar Soleimani"),
    ("Nicolas Maduro", "Nicolas Madero"),
    ("Juan Carlos Rodriguez", "Juan Carlos Rodrigo"),
    ("Maria Gonzalez", "Mario Gonzalez"),
    ("Daniel Ortega", "Daniel Ortiz"),
    ("Roman Abramovich", "Roman Abramov"),
    ("Oleg Deripaska", "Oleg Derevyanko"),
    ("Alisher Usmanov", "Alisher Usupov"),
    ("Viktor Vekselberg", "Viktor Weinberg"),
    ("Alexey Miller", "Alexey Mueller"),
    ("Andrey Kostin", "Andrey Kostenko"),
    ("Peter Aven", "Peter Avent"),
    ("Vladimir Potanin", "Vladimir Putilin"),
    ("Ramzan Kadyrov", "Akhmad Kadyrov"),
    ("Natalia Poklonskaya", "Natalia Polonskaya"),
    ("Sergei Chemezov", "Sergei Chernov"),
    ("Ismail Haniyeh", "Ismail Hamid"),
    ("Hafiz Saeed", "Hafiz Hussain"),
    ("Dawood Ibrahim", "David Abraham"),
    ("John Smith", "Jane Smith"),
    ("John Smith", "John Smithers"),
    ("Anna Ivanova", "Anna Ivanenko"),
    ("Tariq Aziz", "Tariq Azizi"),
    ("Carlos Alvarez", "Carla Alvarez"),
    ("Luis Medina", "Luisa Medina"),
    ("Karim Khalil", "Karima Khalili"),
    ("Ivan Ivanov", "Ivan Ivanovich Ivanenko"),
    ("Chen Wei", "Chen Wen"),
]
for a, b in HARD:
    add(a, b, "Person", 0, "hard_negative")

HARD_COMPANIES = [
    ("Rosneft", "Rosneftegaz"),
    ("Gazprom Neft", "Gazprom"),
    ("Gazprombank", "Gazprom"),
    ("Alpha Trading LLC", "Alpha Shipping LLC"),
    ("Sea Star Shipping", "Sea Sun Shipping"),
    ("Ocean Star 7", "Ocean Star 9"),
    ("Blue Ocean Shipping Ltd", "Blue Sky Shipping Ltd"),
    ("Bank Melli Iran", "Bank Mellat"),
    ("Bank Saderat Iran", "Bank Sepah"),
    ("Sberbank", "Sovcombank"),
    ("VTB Bank", "VTB Capital"),
    ("Novatek", "Novartis"),
    ("Mahan Air", "Iran Air"),
    ("Korea Kwangson Banking Corp", "Korea Kumgang Group"),
    ("Aurora Metals LLC", "Aurora Minerals LLC"),
    ("Titan Forge GmbH", "Titan Force GmbH"),
    ("Caspian Energy", "Caspian Oil"),
    ("Silk Road Holdings", "Silk Way Holdings"),
    ("Arctic Star Trading", "Antarctic Star Trading"),
    ("Eastern Gate Logistics", "Western Gate Logistics"),
]
for a, b in HARD_COMPANIES:
    add(a, b, "Company", 0, "hard_negative")

# Generated hard negatives: one name in common, the other different.
for n in range(60):
    given, surname = people[n]
    if n % 2 == 0:
        other = rng.choice([s for s in SURNAMES if s != surname])
        add(f"{given} {surname}", f"{given} {other}", "Person", 0, "hard_negative")
    else:
        other = rng.choice([g for g in GIVEN if g != given])
        add(f"{given} {surname}", f"{other} {surname}", "Person", 0, "hard_negative")

# --- Easy negatives: unrelated names --------------------------------------------------------
names = [a for a, _ in SCRIPTS] + [f"{g} {s}" for g, s in people]
n_negatives = 0
while n_negatives < 80:
    a, b = rng.sample(names, 2)
    if set(a.lower().split()) & set(b.lower().split()):
        continue  # sharing a word, they might be one person: not an easy negative
    add(a, b, "Person", 0, "negative")
    n_negatives += 1
for _ in range(20):
    a, b = rng.sample(COMPANY_STEMS, 2)
    add(f"{a} LLC", f"{b} LLC", "Company", 0, "negative")

# Some rows without a schema, as users' own files may have.
for i in range(0, len(rows), 17):
    a, b, _, label, category = rows[i]
    rows[i] = (a, b, "", label, category)

with open("pairs.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["name1", "name2", "schema", "label", "category"])
    for row in rows:
        w.writerow(row)
print(len(rows), "pairs,", sum(r[3] for r in rows), "positive")
