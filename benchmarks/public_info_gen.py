"""Generate unrelated but realistic public-information documents, to grow a library past 1,000 passages.

    python benchmarks/public_info_gen.py OUT_DIR [--docs 220] [--seed 7]

Council and transport pages of the kind a team's shared drive fills up with: bus and rail timetables, weather
and flood advice, council tax, bins and recycling, library opening hours, school admissions, parking, leisure
centres, planning, registering a birth. Each is Markdown with YAML front matter, like corpus/guidance, and
carries the page furniture such sites have ("Is this page useful?"). Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

TOWNS = ["Otley", "Harrogate", "Wakefield", "Barnsley", "Halifax", "Skipton", "Keighley", "Dewsbury", "Pontefract",
         "Selby", "Ripon", "Castleford", "Batley", "Huddersfield", "Ilkley", "Knaresborough", "Todmorden", "Goole"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
STREETS = ["High Street", "Station Road", "Church Lane", "Market Place", "Victoria Road", "Mill Lane", "Park Avenue",
           "Bridge Street", "Albert Road", "Queens Drive"]
FURNITURE = ["Is this page useful? Yes this page is useful. No this page is not useful.",
             "Report a problem with this page.", "Cookies on this site: we use some essential cookies to make this "
             "website work.", "Share this page on social media or by email."]


def _time(r: random.Random, lo: int = 5, hi: int = 23) -> str:
    return f"{r.randint(lo, hi):02d}:{r.choice(['00', '05', '12', '15', '20', '30', '35', '45', '50'])}"


def bus_timetable(r: random.Random, town: str) -> tuple[str, list[str]]:
    other = r.choice([t for t in TOWNS if t != town])
    route = r.randint(1, 99)
    paras = [f"Route {route} runs between {town} bus station and {other} interchange, calling at {r.choice(STREETS)}, "
             f"{r.choice(STREETS)} and the hospital. Buses run every {r.choice([10, 15, 20, 30, 60])} minutes during "
             f"the day from Monday to Saturday."]
    for day in r.sample(DAYS, 4):
        paras.append(f"On {day} the first bus leaves {town} at {_time(r, 5, 8)} and the last bus leaves {other} at "
                     f"{_time(r, 21, 23)}. Journeys after 19:00 run every {r.choice([30, 60])} minutes.")
    paras += [f"Tickets can be bought on board with contactless payment. A day ticket covering {town} and {other} "
              f"costs £{r.randint(3, 7)}.{r.choice(['00', '50', '80'])}; children under 5 travel free with a fare-paying "
              "adult.",
              f"During roadworks on {r.choice(STREETS)} buses are diverted and the stop outside the library is closed. "
              "Please use the temporary stop opposite.",
              "Timetables change on public holidays. Check the journey planner before you travel."]
    return f"Bus route {route}: {town} to {other} timetable", paras


def rail_timetable(r: random.Random, town: str) -> tuple[str, list[str]]:
    a, b = r.sample([t for t in TOWNS if t != town], 2)
    paras = [f"Trains between {town} and {a} run twice an hour, with some services continuing to {b}. The journey "
             f"takes about {r.randint(12, 55)} minutes."]
    for _ in range(5):
        paras.append(f"The {_time(r)} from {town} calls at {a} and arrives at {b} at {_time(r)}. Bicycles are "
                     f"carried free of charge but spaces are limited at peak times.")
    paras += [f"Engineering works: on {r.choice(DAYS)}s in {r.choice(['March', 'June', 'October'])} a replacement bus "
              f"service runs between {town} and {a}. Allow an extra {r.randint(20, 50)} minutes for your journey.",
              "Step-free access is available at all platforms. Passenger assistance can be booked up to two hours "
              "before travelling.", "Off-peak return tickets are valid on trains arriving after 09:30."]
    return f"Rail services: {town}, {a} and {b}", paras


def weather(r: random.Random, town: str) -> tuple[str, list[str]]:
    paras = [f"Severe weather can close roads around {town}. When the Met Office issues a yellow or amber warning, "
             "the council grits priority routes first: main roads, bus routes and roads to the hospital.",
             "Gritting starts when road surface temperatures are forecast to fall below freezing. Around "
             f"{r.randint(20, 45)} per cent of the road network is on a priority route.",
             f"Heavy rain can cause flooding along the river in {town}. Sign up for free flood warnings by phone, text "
             "or email, and keep a flood kit with a torch, blankets and important documents.",
             "If your home is flooded, turn off gas and electricity if it is safe to do so, and move valuables "
             "upstairs. Do not walk or drive through flood water.",
             f"Sandbags are available from the depot on {r.choice(STREETS)} during a flood warning, while stocks last.",
             "In hot weather, keep curtains closed on the sunny side of the house, drink plenty of fluids and check on "
             "neighbours who live alone.", "Cold weather payments may be made when the average temperature is "
             "recorded as, or forecast to be, zero degrees or below for seven days in a row."]
    return f"Severe weather and flooding in {town}", paras


def council_tax(r: random.Random, town: str) -> tuple[str, list[str]]:
    bands = "ABCDEFGH"
    paras = [f"Council tax pays for local services in {town} such as roads, schools and street lighting. The amount "
             "you pay depends on the valuation band of your home."]
    base = r.randint(1400, 2200)
    for i, band in enumerate(bands):
        paras.append(f"Band {band} properties pay £{base * (6 + i) // 9:,} a year in {town} for "
                     f"{r.choice(['2024 to 2025', '2025 to 2026'])}, including the police and fire precepts.")
    paras += ["You can pay by direct debit in 10 or 12 monthly instalments. Payments are taken on the 1st, 15th or "
              "28th of the month.", "If you live alone you may get a 25% single person discount. Students in full-time "
              "education do not pay council tax.", "If you are on a low income you may be able to get council tax "
              "support. Apply online with proof of your income and savings.",
              "If you think your band is wrong you can challenge it with the Valuation Office Agency."]
    return f"Council tax bands and payments: {town}", paras


def bins(r: random.Random, town: str) -> tuple[str, list[str]]:
    colours = r.sample(["green", "grey", "blue", "brown", "black", "purple"], 3)
    paras = [f"Household waste in {town} is collected every {r.choice(['week', 'two weeks', 'three weeks'])}. Put "
             f"your {colours[0]} bin out by 7am on your collection day with the lid closed.",
             f"The {colours[1]} bin is for recycling: paper, card, cans, tins, plastic bottles and aerosols. Rinse "
             "containers and flatten boxes. Glass goes in the separate box.",
             f"The {colours[2]} bin is for garden waste. The garden waste service costs £{r.randint(35, 60)} a year "
             "and runs from March to November.",
             "Bulky items such as sofas, fridges and mattresses can be collected for a charge. Book online and leave "
             "items at the edge of your property.",
             f"The household waste recycling centre on {r.choice(STREETS)} is open {r.choice(DAYS)} to "
             f"{r.choice(DAYS)} from 8am to {r.choice(['4pm', '5pm', '6pm'])}. Vans and trailers need a permit.",
             "Missed collection? Report it within two working days of your collection day.",
             "Over Christmas and New Year collections may be a day or two later than usual."]
    return f"Bins, recycling and waste collections in {town}", paras


def library(r: random.Random, town: str) -> tuple[str, list[str]]:
    paras = [f"{town} library is on {r.choice(STREETS)}. It has free computers and wifi, a children's area, study "
             "spaces and a local history collection."]
    for day in DAYS:
        if r.random() < 0.2:
            paras.append(f"On {day} the library is closed.")
        else:
            paras.append(f"On {day} the library opens at {_time(r, 9, 10)} and closes at {_time(r, 16, 19)}.")
    paras += ["Join the library for free with proof of your address. You can borrow up to 15 books for three weeks "
              "and renew them online.", "Rhyme time for under-fives runs every Tuesday morning. Booking is not needed.",
              "Printing and photocopying cost 10p a page for black and white and 50p a page for colour.",
              "Overdue books are not charged for, but please return them so others can borrow them."]
    return f"{town} library opening hours and services", paras


def schools(r: random.Random, town: str) -> tuple[str, list[str]]:
    year = r.choice([2025, 2026])
    paras = [f"Apply for a primary school place in {town} if your child was born between 1 September {year - 5} and "
             f"31 August {year - 4}. The closing date for applications is 15 January {year}.",
             f"Secondary school applications for September {year} close on 31 October {year - 1}. You can name up to "
             "five schools in order of preference.",
             "Places are offered using the admission criteria: looked after children first, then siblings, then "
             "children living closest to the school measured in a straight line.",
             f"National offer day for secondary places is 1 March {year}; primary offers are made on 16 April.",
             "If you are refused a place you can appeal to an independent panel. Appeals must be lodged within 20 "
             "school days of the offer letter.", "Free home to school transport may be available if the nearest "
             "suitable school is more than two miles away for children under eight, or three miles for older "
             "children.", "In-year transfers can be requested at any time; the school will tell you within 15 school "
             "days whether a place is available."]
    return f"School admissions in {town}", paras


def parking(r: random.Random, town: str) -> tuple[str, list[str]]:
    paras = [f"Residents' parking permits in {town} cost £{r.randint(25, 90)} a year for the first vehicle and "
             f"£{r.randint(50, 140)} for a second. Visitor permits come in books of 20.",
             f"The multi-storey car park on {r.choice(STREETS)} charges £1.{r.randint(10, 90)} an hour up to four "
             "hours, and is free after 6pm.", "Blue Badge holders can park free in council car parks and for up to "
             "three hours on single yellow lines where there is no loading ban.",
             "A penalty charge notice is £70, reduced to £35 if you pay within 14 days. You can challenge a ticket "
             "online with photos.", "Electric vehicle charge points are available in most car parks; pay using the "
             "app or a contactless card.", "Pay and display machines accept cards and coins; you can also pay by "
             "phone and get a text reminder before your time runs out."]
    return f"Parking in {town}", paras


def leisure(r: random.Random, town: str) -> tuple[str, list[str]]:
    paras = [f"{town} leisure centre has a 25 metre pool, a learner pool, a gym and sports hall. Public swimming "
             f"sessions run every day from {_time(r, 6, 7)}."]
    for day in r.sample(DAYS, 4):
        paras.append(f"On {day} lane swimming is from {_time(r, 6, 8)} to {_time(r, 9, 10)}, then family swimming "
                     f"until {_time(r, 12, 14)}. Aqua aerobics starts at {_time(r, 18, 19)}.")
    paras += [f"Monthly membership costs £{r.randint(22, 45)}; concessions are available for over-60s, students and "
              "people receiving certain benefits.", "Swimming lessons for children run in ten-week blocks. Book a "
              "free assessment to find the right level.", "The football pitches can be booked for five-a-side "
              "matches in the evenings and at weekends."]
    return f"{town} leisure centre timetable and prices", paras


def planning(r: random.Random, town: str) -> tuple[str, list[str]]:
    paras = [f"You may need planning permission to build an extension, change the use of a building or put up a "
             f"fence over two metres high in {town}. Some small works are permitted development.",
             f"A householder planning application costs £{r.randint(250, 300)}. Most decisions are made within eight "
             "weeks of a valid application.", "Neighbours are told about applications by letter and a site notice, "
             "and have 21 days to comment.", "Listed buildings and homes in a conservation area have extra "
             "controls. Ask for pre-application advice before you start.",
             "Building regulations approval is separate from planning permission and covers structure, fire safety "
             "and insulation.", "If permission is refused you can appeal to the Planning Inspectorate within 12 "
             "weeks."]
    return f"Planning permission in {town}", paras


def register_office(r: random.Random, town: str) -> tuple[str, list[str]]:
    paras = [f"Register a birth within 42 days at {town} register office on {r.choice(STREETS)}. Appointments are "
             "needed; bring the baby's red book if you have it.", "A death should be registered within five days. "
             "You will need the medical certificate of cause of death.",
             f"Ceremonies are held at the register office and at approved venues. A ceremony on a {r.choice(DAYS)} "
             f"costs £{r.randint(60, 600)}.", "Give notice of marriage or civil partnership at least 29 days before "
             "the ceremony.", "Certificates cost £12.50 each when ordered at the time of registration."]
    return f"{town} register office: births, deaths and ceremonies", paras


KINDS = [bus_timetable, rail_timetable, weather, council_tax, bins, library, schools, parking, leisure, planning,
         register_office]


def document(r: random.Random, n: int) -> tuple[str, str]:
    town = r.choice(TOWNS)
    kind = KINDS[n % len(KINDS)]
    title, paras = kind(r, town)
    r.shuffle(paras[1:])
    body = [f"# {title}", ""]
    for i, para in enumerate(paras):
        if i and i % 3 == 0:
            body += [f"## {r.choice(['Details', 'More information', 'What you need to know', 'Times and prices'])}", ""]
        body += [para, ""]
    body += ["## About this page", "", *r.sample(FURNITURE, 2), "", f"Last updated {r.randint(1, 28)} "
             f"{r.choice(['January', 'April', 'July', 'November'])} {r.choice([2024, 2025])}.", ""]
    meta = f"---\ntitle: {json.dumps(title)}\npublisher: {town} Council\ndoc_type: web page\n---\n\n"
    slug = f"public-{n:04d}-{kind.__name__.replace('_', '-')}-{town.lower()}"
    return slug, meta + "\n".join(body)


def generate(out: Path, docs: int = 220, seed: int = 7) -> list[Path]:
    """Write `docs` documents into out; returns their paths."""
    r = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(docs):
        slug, text = document(r, n)
        p = out / f"{slug}.md"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--docs", type=int, default=220)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args(argv)
    print(f"wrote {len(generate(a.out, a.docs, a.seed))} documents to {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
