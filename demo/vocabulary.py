"""Demo vocabulary: cities, names, practices, carriers, CPT codes, LEIE rows and the defect rotation."""

import itertools

from directory.models import (
    Gender,
    Specialty,
)
from verification.sources.cms_procedures import PUBLISHED_HEADER as CMS_HEADER
from verification.sources.dac import DAC_HEADER
from verification.sources.leie import LEIE_HEADER
from verification.sources.spine_codes import ADD_ON_CODES

__all__ = ["ADD_ON_CODES", "CMS_HEADER", "DAC_HEADER", "LEIE_HEADER"]  # the importers' own, re-exported

CHUNK_SURGEONS = 2000  # surgeons generated and written per round: bounded memory at any size
MAX_CITIES = 20_000
CLEAN_SHARE = 0.6
LEIE_UNRELATED_ROWS = 300

# The states that issue controlled-substance registrations today (verification.checks.state_csr.STATE_RULES);
# a test keeps them equal.
CSR_STATES = frozenset("AL CT DE DC HI ID IL IN IA LA MD MA MI MO NV NJ NM OK RI SC SD UT WY PR GU".split())
US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
    "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
).split()

# (name, state, ZIP prefix, area code, weight): Texas first, then states that require a CSR, then others.
NAMED_CITIES = [
    (name, state, zip3, area, int(weight))
    for name, state, zip3, area, weight in (
        row.split(",")
        for row in """
Houston,TX,770,713,9;Dallas,TX,752,214,8;San Antonio,TX,782,210,7;Austin,TX,787,512,6;Fort Worth,TX,761,817,6;
El Paso,TX,799,915,5;Chicago,IL,606,312,8;Boston,MA,021,617,6;Detroit,MI,482,313,6;St. Louis,MO,631,314,6;
Newark,NJ,071,973,5;Oklahoma City,OK,731,405,5;Phoenix,AZ,850,602,6;Denver,CO,802,303,5;Baltimore,MD,212,410,4;
Indianapolis,IN,462,317,4;New Orleans,LA,701,504,3;Atlanta,GA,303,404,6;Seattle,WA,981,206,5;
Nashville,TN,372,615,4;Kansas City,MO,641,816,4;Tulsa,OK,741,918,3;Grand Rapids,MI,495,616,3;
Springfield,IL,627,217,2;Worcester,MA,016,508,2;Jersey City,NJ,073,201,3;Salt Lake City,UT,841,801,3;
Las Vegas,NV,891,702,4;Albuquerque,NM,871,505,3;Columbus,OH,432,614,4;Philadelphia,PA,191,215,6;
Charlotte,NC,282,704,4;Minneapolis,MN,554,612,4;Portland,OR,972,503,4;Miami,FL,331,305,6;
Los Angeles,CA,900,213,9;Lubbock,TX,794,806,2;Corpus Christi,TX,784,361,2;Providence,RI,029,401,2;
Birmingham,AL,352,205,3
""".replace("\n", "").split(";")
    )
]
CITY_STEMS = (
    "Cedar Maple River Oak Pine Lake Fair Spring Green Stone Red Silver North West East South Bright Elm Willow Ash "
    "Clear Rock Sun Mill Bay Glen High Wood"
).split()
CITY_ENDINGS = [
    "field", "ville", "ton", "wood", "dale", "port", "view", "brook", "ford", "mont", "haven", "crest", "burg",
    " Springs", " Falls", " Heights", " Park", " Hills", " City", " Junction", " Creek", " Valley", " Harbor",
]  # fmt: skip

MALE_FIRST = (
    "James Robert Michael David William Richard Joseph Thomas Charles Daniel Matthew Anthony Mark Steven Paul Andrew "
    "Joshua Kevin Brian George Edward Ronald Timothy Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen "
    "Carlos Luis Jorge Miguel Alejandro Rajesh Sanjay Arjun Vikram Wei Jun Hiroshi Minh Omar Tariq Samuel Benjamin "
    "Aaron Nathan Adam Patrick Sean Gregory Peter Victor Dmitri Ivan Tomasz Olusegun Kwame"
).split()
FEMALE_FIRST = (
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Emily Michelle Laura "
    "Rebecca Rachel Amanda Stephanie Nicole Katherine Christine Maria Ana Sofia Lucia Gabriela Priya Anjali Deepa "
    "Mei Ling Yuki Hana Linh Fatima Leila Amara Ngozi Claire Julia Hannah Olivia Grace Natalie Alicia Monica Irene"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson "
    "Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell "
    "Mitchell Carter Roberts Patel Shah Kumar Singh Gupta Chen Wang Li Zhang Liu Kim Park Choi Tran Pham Nakamura "
    "Tanaka Cohen Levy Friedman Schwartz Murphy Sullivan Kelly Brennan Walsh Novak Kowalski Nowak Ivanov Petrov "
    "Rossi Russo Bianchi Esposito Muller Schmidt Weber Becker Fischer Okafor Adeyemi Mensah Haddad Khoury Mansour "
    "Rahman Hussain Ali Khan Castillo Morales Ortiz Gutierrez Chavez Ramos Ruiz Vargas Mendoza Reyes Aguilar Delgado "
    "Hughes Price Bennett Wood Barnes Ross Henderson Coleman Jenkins Perry Powell Long Patterson Foster Sanders "
    "Bryant Russell Griffin Hayes Myers Ford Hamilton Graham Wallace Cole West Jordan Owens Reynolds Fisher Ellis"
).split()
INITIALS = "ABCDEFGHJKLMNPRSTW"
GENDERS = [Gender.FEMALE, Gender.MALE, Gender.OTHER]
SPECIALTIES = [Specialty.ORTHOPAEDIC_SPINE, Specialty.ORTHOPAEDIC, Specialty.NEUROSURGERY]
LANGUAGES = [
    ("", 55), ("Spanish", 22), ("Mandarin", 3), ("Hindi", 3), ("Vietnamese", 2), ("Arabic", 2), ("French", 2),
    ("Korean", 2), ("Polish", 1), ("Portuguese", 2), ("Gujarati", 1), ("Russian", 1), ("Spanish, Portuguese", 1),
    ("Tagalog", 1), ("Yoruba", 1), ("German", 1),
]  # fmt: skip
LANGUAGE_NAMES = [name for name, _ in LANGUAGES]
LANGUAGE_CUM_WEIGHTS = list(itertools.accumulate(weight for _, weight in LANGUAGES))
BIO_OPENINGS = {
    Specialty.ORTHOPAEDIC_SPINE: "Fellowship-trained orthopaedic spine surgeon",
    Specialty.ORTHOPAEDIC: "Orthopaedic surgeon",
    Specialty.NEUROSURGERY: "Neurosurgeon",
}
FOCUS = [
    "minimally invasive lumbar decompression", "cervical disc replacement", "adult spinal deformity",
    "revision surgery for failed back surgery syndrome", "spinal cord stimulation", "lumbar fusion",
    "spinal tumours", "sports-related spine injuries", "cervical myelopathy", "degenerative scoliosis",
    "spinal stenosis", "osteoporotic fractures",
]  # fmt: skip
PRACTICE_STEMS = (
    "Summit Riverside Parkway Cornerstone Lakeside Heritage Crossroads Northstar Pinnacle Meridian Keystone "
    "Liberty Unity Beacon Harbor Sequoia Evergreen Compass"
).split()
PRACTICE_KINDS = ["Spine Center", "Spine Institute", "Neurosurgery Associates", "Orthopaedic & Spine", "Spine Care"]
STREETS = (
    "Main St|Medical Center Blvd|Oak Ave|Park Pl|Hospital Dr|Lakeview Pkwy|Elm St|Washington Ave|Commerce St|"
    "University Blvd|Health Plaza Dr|Ridge Rd|Market St|Broadway|Lincoln Ave"
).split("|")
CARRIERS = [
    ("Prairie Physicians Mutual", "PPM"),
    ("Great Lakes Medical Liability", "GLM"),
    ("Keystone Surgeons Mutual", "KSM"),
    ("Harbor Medical Protective", "HMP"),
    ("Frontier Professional Liability", "FPL"),
    ("Magnolia Medical Assurance", "MMA"),
]
ORTHO_CODES = ["63030", "63047", "63045", "22612", "22630", "22633", "22840", "22842", "22551", "63042", "22845"]
NEURO_CODES = ["22551", "63047", "63030", "63045", "22845", "22600", "63081", "63650", "63685", "22612", "22842"]
OFFICE_VISIT = "99213"  # a non-spine line of the demo CMS file, as a real one is full of them
# NUCC taxonomies as NPPES lists them, primary first, per demo specialty; some general orthopaedic surgeons also
# list a subspecialty.
TAXONOMIES = {
    Specialty.ORTHOPAEDIC_SPINE: ("207XS0117X 207X00000X", "207XS0117X"),
    Specialty.ORTHOPAEDIC: ("207X00000X", "207X00000X", "207XS0114X 207X00000X", "207XX0801X 207X00000X"),
    Specialty.NEUROSURGERY: ("207T00000X",),
}
MEDICARE_SPECIALTIES = {
    Specialty.ORTHOPAEDIC_SPINE: "ORTHOPEDIC SURGERY",
    Specialty.ORTHOPAEDIC: "ORTHOPEDIC SURGERY",
    Specialty.NEUROSURGERY: "NEUROSURGERY",
}
MEDICAL_SCHOOLS = [
    "BAYLOR COLLEGE OF MEDICINE", "UNIVERSITY OF TEXAS MEDICAL BRANCH AT GALVESTON", "NORTHWESTERN UNIVERSITY",
    "UNIVERSITY OF MICHIGAN MEDICAL SCHOOL", "WASHINGTON UNIVERSITY SCHOOL OF MEDICINE", "TUFTS UNIVERSITY",
    "UNIVERSITY OF OKLAHOMA COLLEGE OF MEDICINE", "RUTGERS NEW JERSEY MEDICAL SCHOOL", "OTHER",
]  # fmt: skip
UNNAMED_PRACTICE_SHARE = 0.2  # locations no group names: shown by their address alone
DEACTIVATED_EVERY = 50  # one surgeon in this many has a deactivated NPI (and is in the demo deactivation report)
CONFIRMATIONS = (
    "Practice case log on file shows spine operations (demo data).",
    "Hospital privileges for spine surgery verified with the medical staff office (demo data).",
)
SERIOUS_ACTIONS = [
    "Restriction of surgical privileges after standard-of-care findings",
    "Suspension for inadequate post-operative monitoring",
    "Probation with chart monitoring after a wrong-level operation",
]
MINOR_ACTIONS = ["Administrative penalty for late CME reporting", "Fine for not updating the practice address"]
LEIE_OTHERS = [
    ("IND- LIC HC SERV PRO", "NURSE/NURSES AIDE"), ("IND- LIC HC SERV PRO", "PHARMACIST"),
    ("OTHER BUSINESS", "PHARMACY"), ("IND- LIC HC SERV PRO", "CHIROPRACTOR"), ("BUSINESS", "HOME HEALTH AGENCY"),
    ("IND- UNLICENSED", "BILLING SERVICES"), ("IND- LIC HC SERV PRO", "PHYSICIAN ASSISTANT"),
    ("MEDICAL PRACTICE, MD", "FAMILY PRACTICE"), ("BUSINESS", "DME - SUPPLIER"),
]  # fmt: skip
LEIE_BUSINESSES = "SUNRISE|GOLDEN CARE|PREMIER|ALLIED|FIRST CHOICE|HOPE|RELIANT|CITYWIDE|NORTHSIDE|TRINITY".split("|")
LEIE_TYPES = ["1128a1", "1128a2", "1128a3", "1128b4", "1128b7", "1128b8", "1128b14"]

# One defect per non-clean surgeon, dealt in this order. CSR defects wait for a surgeon in a state that
# requires a registration. Expected outcome in the comment (see verification/checks/).
DEFECTS = [
    "license_expired",  # license_sanctions: fail
    "board_lapsed",  # board_certification: fail
    "dea_expired",  # dea: fail
    "csr_missing",  # state_csr: needs_review
    "malpractice_lapsed",  # malpractice: fail
    "too_new",  # experience: fail (under 5 years, under 300 procedures)
    "low_satisfaction",  # satisfaction: fail
    "serious_action",  # license_sanctions: fail
    "board_missing",  # board_certification: needs_review
    "dea_missing",  # dea: needs_review
    "csr_expired",  # state_csr: fail
    "malpractice_low_limits",  # malpractice: fail
    "few_responses",  # satisfaction: unknown (not enough answers)
    "leie_npi",  # license_sanctions: fail once the demo LEIE file is imported
    "board_wrong_board",  # board_certification: needs_review (only an unrelated board)
    "dea_bad_check_digit",  # dea: needs_review
    "malpractice_missing",  # malpractice: needs_review
    "no_start_date",  # experience: needs_review
    "no_survey",  # satisfaction: needs_review
    "license_revoked",  # license_sanctions: fail
    "leie_name",  # license_sanctions: needs_review (name and state match, no NPI)
    "license_unverified",  # license_sanctions: needs_review (self-reported number)
    "stale_survey",  # satisfaction: unknown (survey too old)
    "license_missing_second_state",  # license_sanctions: needs_review
    "unverified_respondents",  # satisfaction: needs_review
]
CSR_DEFECTS = frozenset({"csr_missing", "csr_expired"})
SECOND_DEFECTS = [d for d in DEFECTS if d not in CSR_DEFECTS and d != "license_missing_second_state"]

DAC_FILE = "DAC_NationalDownloadableFile.csv"
CMS_FILE = "MUP_PHY_Prov_Svc.csv"
DEACTIVATION_REPORT = "NPPES Deactivated NPI Report.xlsx"
UNRELATED_DEACTIVATIONS = 20  # NPIs of other providers in the demo report
