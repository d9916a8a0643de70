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
