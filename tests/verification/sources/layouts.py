"""The publishers' file layouts, for fixtures: real headers of each year's file, quoting and CRLF as published."""

import csv
from pathlib import Path

# CMS "Medicare Physician & Other Practitioners - by Provider and Service", data year 2023 (release RY25,
# MUP_PHY_R25_P05_V20_D23_Prov_Svc.csv); up to data year 2022 the file also had Rndrng_Prvdr_Gndr.
CMS_HEADER_2023 = (
    "Rndrng_NPI,Rndrng_Prvdr_Last_Org_Name,Rndrng_Prvdr_First_Name,Rndrng_Prvdr_MI,Rndrng_Prvdr_Crdntls,"
    "Rndrng_Prvdr_Ent_Cd,Rndrng_Prvdr_St1,Rndrng_Prvdr_St2,Rndrng_Prvdr_City,Rndrng_Prvdr_State_Abrvtn,"
    "Rndrng_Prvdr_State_FIPS,Rndrng_Prvdr_Zip5,Rndrng_Prvdr_RUCA,Rndrng_Prvdr_RUCA_Desc,Rndrng_Prvdr_Cntry,"
    "Rndrng_Prvdr_Type,Rndrng_Prvdr_Mdcr_Prtcptg_Ind,HCPCS_Cd,HCPCS_Desc,HCPCS_Drug_Ind,Place_Of_Srvc,Tot_Benes,"
    "Tot_Srvcs,Tot_Bene_Day_Srvcs,Avg_Sbmtd_Chrg,Avg_Mdcr_Alowd_Amt,Avg_Mdcr_Pymt_Amt,Avg_Mdcr_Stdzd_Amt"
).split(",")
CMS_HEADER_2022 = [*CMS_HEADER_2023[:5], "Rndrng_Prvdr_Gndr", *CMS_HEADER_2023[5:]]

# CMS Doctors and Clinicians National Downloadable File (DAC_NationalDownloadableFile.csv), 2024 layout.
DAC_HEADER = (
    "NPI,Ind_PAC_ID,Ind_enrl_ID,Provider Last Name,Provider First Name,Provider Middle Name,suff,gndr,Cred,Med_sch,"
    "Grd_yr,pri_spec,sec_spec_1,sec_spec_2,sec_spec_3,sec_spec_4,sec_spec_all,Telehlth,Facility Name,org_pac_id,"
    "num_org_mem,adr_ln_1,adr_ln_2,ln_2_sprs,City/Town,State,ZIP Code,Telephone Number,ind_assgn,grp_assgn,adrs_id"
).split(",")

CMS_DESCRIPTIONS = {
    "63030": "Removal of disc, lumbar",
    "22612": "Fusion of spine bones with bone graft, lumbar",
    "22840": "Insertion of spinal fixation device",
    "99213": "Established patient office or other outpatient visit, 20-29 minutes",
}


def cms_row(npi: str, code: str, services: str, *, place: str = "F", header=CMS_HEADER_2023, **more) -> list[str]:
    fields = dict.fromkeys(header, "")
    fields.update(
        Rndrng_NPI=npi, Rndrng_Prvdr_Last_Org_Name="Smith", Rndrng_Prvdr_First_Name="Jo", Rndrng_Prvdr_MI="A",
        Rndrng_Prvdr_Crdntls="M.D.", Rndrng_Prvdr_Ent_Cd="I", Rndrng_Prvdr_St1="6624 Fannin St",
        Rndrng_Prvdr_City="Houston", Rndrng_Prvdr_State_Abrvtn="TX", Rndrng_Prvdr_State_FIPS="48",
        Rndrng_Prvdr_Zip5="77030", Rndrng_Prvdr_RUCA="1",
        Rndrng_Prvdr_RUCA_Desc="Metropolitan area core: primary flow within an urbanized area of 50,000 and greater",
        Rndrng_Prvdr_Cntry="US", Rndrng_Prvdr_Type="Orthopedic Surgery", Rndrng_Prvdr_Mdcr_Prtcptg_Ind="Y",
        HCPCS_Cd=code, HCPCS_Desc=CMS_DESCRIPTIONS.get(code, "Spine procedure"), HCPCS_Drug_Ind="N",
        Place_Of_Srvc=place, Tot_Benes="14", Tot_Srvcs=services, Tot_Bene_Day_Srvcs=services,
        Avg_Sbmtd_Chrg="6800.5", Avg_Mdcr_Alowd_Amt="1402.11", Avg_Mdcr_Pymt_Amt="1118.67",
        Avg_Mdcr_Stdzd_Amt="1093.4",
    )  # fmt: skip
    if "Rndrng_Prvdr_Gndr" in fields:
        fields["Rndrng_Prvdr_Gndr"] = "F"
    fields.update(more)
    return [fields[name] for name in header]


def csv_write(path: Path, rows, *, quoting=csv.QUOTE_MINIMAL) -> Path:
    """Rows as the publishers write them: CRLF line endings; `quoting` as the file publishes (raw strings are
    written as they are, for deliberately broken lines)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=quoting, lineterminator="\r\n")
        for row in rows:
            if isinstance(row, str):
                handle.write(row + "\r\n")
            else:
                writer.writerow(row)
    return path


def _nppes_header(sex_column: str) -> list[str]:
    practice, mailing = "Business Practice Location Address", "Business Mailing Address"
    names = [
        "NPI", "Entity Type Code", "Replacement NPI", "Employer Identification Number (EIN)",
        "Provider Organization Name (Legal Business Name)", "Provider Last Name (Legal Name)", "Provider First Name",
        "Provider Middle Name", "Provider Name Prefix Text", "Provider Name Suffix Text", "Provider Credential Text",
        "Provider Other Organization Name", "Provider Other Organization Name Type Code", "Provider Other Last Name",
        "Provider Other First Name", "Provider Other Middle Name", "Provider Other Name Prefix Text",
        "Provider Other Name Suffix Text", "Provider Other Credential Text", "Provider Other Last Name Type Code",
        f"Provider First Line {mailing}", f"Provider Second Line {mailing}", f"Provider {mailing} City Name",
        f"Provider {mailing} State Name", f"Provider {mailing} Postal Code",
        f"Provider {mailing} Country Code (If outside U.S.)", f"Provider {mailing} Telephone Number",
        f"Provider {mailing} Fax Number", f"Provider First Line {practice}", f"Provider Second Line {practice}",
        f"Provider {practice} City Name", f"Provider {practice} State Name", f"Provider {practice} Postal Code",
        f"Provider {practice} Country Code (If outside U.S.)", f"Provider {practice} Telephone Number",
        f"Provider {practice} Fax Number", "Provider Enumeration Date", "Last Update Date",
        "NPI Deactivation Reason Code", "NPI Deactivation Date", "NPI Reactivation Date", sex_column,
        "Authorized Official Last Name", "Authorized Official First Name", "Authorized Official Middle Name",
        "Authorized Official Title or Position", "Authorized Official Telephone Number",
    ]  # fmt: skip
    for i in range(1, 16):
        names += [
            f"Healthcare Provider Taxonomy Code_{i}", f"Provider License Number_{i}",
            f"Provider License Number State Code_{i}", f"Healthcare Provider Primary Taxonomy Switch_{i}",
        ]  # fmt: skip
    for i in range(1, 51):
        names += [
            f"Other Provider Identifier_{i}", f"Other Provider Identifier Type Code_{i}",
            f"Other Provider Identifier State_{i}", f"Other Provider Identifier Issuer_{i}",
        ]  # fmt: skip
    names += [
        "Is Sole Proprietor", "Is Organization Subpart", "Parent Organization LBN", "Parent Organization TIN",
        "Authorized Official Name Prefix Text", "Authorized Official Name Suffix Text",
        "Authorized Official Credential Text",
    ]  # fmt: skip
    names += [f"Healthcare Provider Taxonomy Group_{i}" for i in range(1, 16)]
    return [*names, "Certification Date"]


# NPPES Data Dissemination (npidata_pfile_20050523-YYYYMMDD.csv): 330 columns, every field quoted. "Provider Sex
# Code" was "Provider Gender Code" before 2024.
NPPES_HEADER = _nppes_header("Provider Sex Code")
NPPES_HEADER_BEFORE_2024 = _nppes_header("Provider Gender Code")
assert len(NPPES_HEADER) == 330


def nppes_row(
    npi: str,
    *,
    entity: str = "1",
    taxonomies=(("207XS0117X", "Q12345", "TX", "Y"),),
    credential: str = "M.D.",
    sex: str = "F",
    header=NPPES_HEADER,
    **named,
) -> list[str]:
    """A bulk-file row; `named` sets any column by its header name (e.g. **{"NPI Deactivation Date": "…"})."""
    practice = "Business Practice Location Address"
    fields = dict.fromkeys(header, "")
    fields.update(
        {
            "NPI": npi, "Entity Type Code": entity, "Provider Last Name (Legal Name)": "DOE",
            "Provider First Name": "JANE", "Provider Credential Text": credential,
            f"Provider First Line {practice}": "6400 FANNIN ST", f"Provider {practice} City Name": "HOUSTON",
            f"Provider {practice} State Name": "TX", f"Provider {practice} Postal Code": "770301234",
            f"Provider {practice} Country Code (If outside U.S.)": "US",
            f"Provider {practice} Telephone Number": "7135550142", "Provider Enumeration Date": "05/23/2007",
            "Last Update Date": "07/08/2024", header[41]: sex, "Is Sole Proprietor": "N",
            "Certification Date": "07/08/2024",
        }
    )  # fmt: skip
    for slot, (code, license, state, primary) in enumerate(taxonomies, start=1):
        fields[f"Healthcare Provider Taxonomy Code_{slot}"] = code
        fields[f"Provider License Number_{slot}"] = license
        fields[f"Provider License Number State Code_{slot}"] = state
        fields[f"Healthcare Provider Primary Taxonomy Switch_{slot}"] = primary
        fields[f"Healthcare Provider Taxonomy Group_{slot}"] = ""
    fields.update(named)
    return [fields[name] for name in header]


def nppes_deactivated_row(npi: str, deactivated_on: str, header=NPPES_HEADER) -> list[str]:
    """A deactivated NPI as the bulk file lists it: the NPI and its deactivation date, every other field empty."""
    fields = dict.fromkeys(header, "")
    fields.update({"NPI": npi, "NPI Deactivation Date": deactivated_on})
    return [fields[name] for name in header]


def deactivation_report(path: Path, rows, *, title: str = "NPPES Deactivated NPI Report") -> Path:
    """CMS's monthly NPPES Deactivated NPI Report: an Excel workbook, a title line, then `NPI | NPPES Deactivation
    Date` and one row per deactivated NPI, NPIs and dates (MM/DD/YYYY) as text."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([title])
    sheet.append(["NPI", "NPPES Deactivation Date"])
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def dac_row(npi: str, **named) -> list[str]:
    """A Doctors and Clinicians row (one clinician, enrollment, group and address); `named` sets columns by name."""
    fields = dict.fromkeys(DAC_HEADER, "")
    fields.update(
        {
            "NPI": npi, "Ind_PAC_ID": "7517003643", "Ind_enrl_ID": "I20130530000085", "Provider Last Name": "DOE",
            "Provider First Name": "JANE", "gndr": "F", "Cred": "MD", "Med_sch": "BAYLOR COLLEGE OF MEDICINE",
            "Grd_yr": "2004", "pri_spec": "ORTHOPEDIC SURGERY", "sec_spec_1": "NEUROSURGERY",
            "sec_spec_all": "NEUROSURGERY", "Facility Name": "GULF COAST SPINE ASSOCIATES, PLLC",
            "org_pac_id": "4082528898", "num_org_mem": "12", "adr_ln_1": "6400 FANNIN ST", "adr_ln_2": "STE 2800",
            "City/Town": "HOUSTON", "State": "TX", "ZIP Code": "770301234", "Telephone Number": "7135550142",
            "ind_assgn": "Y", "grp_assgn": "Y", "adrs_id": "TX770301234HO6400XSTXX400",
        }
    )  # fmt: skip
    fields.update(named)
    return [fields[name] for name in DAC_HEADER]
