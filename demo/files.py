"""The demo's source files, in the publishers' layouts, saying exactly what was seeded: importing them changes
nothing. CMS's Doctors and Clinicians file and its Medicare by-provider-and-service file are written chunk by chunk
as surgeons are seeded (constant memory); the NPPES Deactivated NPI Report at the end."""

import csv
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from directory.models import Degree, PracticeLocation, ProcedureVolume

from .plan import Planned
from .vocabulary import (
    CMS_FILE,
    CMS_HEADER,
    DAC_FILE,
    DAC_HEADER,
    DEACTIVATION_REPORT,
    MEDICARE_SPECIALTIES,
    OFFICE_VISIT,
    UNRELATED_DEACTIVATIONS,
)


def _dac_row(planned: Planned, location: dict) -> list[str]:
    surgeon, city, group = planned.surgeon, location["city"], location.get("group")
    fields = dict.fromkeys(DAC_HEADER, "")
    fields.update(
        {
            "NPI": surgeon["npi"], "Ind_PAC_ID": f"9{surgeon['npi'][1:]}", "Ind_enrl_ID": f"I2013{surgeon['npi']}",
            "Provider Last Name": surgeon["last_name"].upper(), "Provider First Name": surgeon["first_name"].upper(),
            "Provider Middle Name": surgeon["middle_name"].upper(), "gndr": surgeon["gender"],
            "Cred": surgeon["degree"], "Med_sch": surgeon["medical_school"], "Grd_yr": str(surgeon["graduation_year"]),
            "pri_spec": surgeon["medicare_specialty"], "Facility Name": group["name"] if group else "",
            "org_pac_id": group["pac_id"] if group else "", "adr_ln_1": location["address_line1"].upper(),
            "adr_ln_2": location["address_line2"].upper(), "City/Town": city["name"].upper(), "State": city["state"],
            "ZIP Code": location["postal_code"], "Telephone Number": location["phone"].removeprefix("+1"),
            "ind_assgn": "Y", "grp_assgn": "Y" if group else "",
        }
    )  # fmt: skip
    return [fields[name] for name in DAC_HEADER]


def _cms_row(planned: Planned, code: str, services: int, place: str) -> list[str]:
    surgeon, location = planned.surgeon, planned.rows[PracticeLocation][0]
    fields = dict.fromkeys(CMS_HEADER, "")
    fields.update(
        {
            "Rndrng_NPI": surgeon["npi"], "Rndrng_Prvdr_Last_Org_Name": surgeon["last_name"],
            "Rndrng_Prvdr_First_Name": surgeon["first_name"], "Rndrng_Prvdr_MI": surgeon["middle_name"],
            "Rndrng_Prvdr_Crdntls": "M.D." if surgeon["degree"] == Degree.MD else "D.O.", "Rndrng_Prvdr_Ent_Cd": "I",
            "Rndrng_Prvdr_St1": location["address_line1"], "Rndrng_Prvdr_City": location["city"]["name"],
            "Rndrng_Prvdr_State_Abrvtn": location["city"]["state"], "Rndrng_Prvdr_Zip5": location["postal_code"],
            "Rndrng_Prvdr_Cntry": "US", "Rndrng_Prvdr_Type": MEDICARE_SPECIALTIES[surgeon["specialty"]].title(),
            "Rndrng_Prvdr_Mdcr_Prtcptg_Ind": "Y", "HCPCS_Cd": code, "HCPCS_Drug_Ind": "N", "Place_Of_Srvc": place,
            "Tot_Benes": str(services), "Tot_Srvcs": f"{services}.0", "Tot_Bene_Day_Srvcs": str(services),
        }
    )  # fmt: skip
    return [fields[name] for name in CMS_HEADER]


class DemoFiles:
    """Writers for the demo's DAC and CMS files in `directory`; `close` writes the deactivation report."""

    def __init__(self, directory: Path, *, cms_year: int):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory, self.cms_year = directory, cms_year
        self._dac = (directory / DAC_FILE).open("w", newline="", encoding="utf-8")
        self._cms = (directory / CMS_FILE).open("w", newline="", encoding="utf-8")
        self.dac = csv.writer(self._dac, lineterminator="\r\n")
        self.cms = csv.writer(self._cms, lineterminator="\r\n")
        self.dac.writerow(DAC_HEADER)
        self.cms.writerow(CMS_HEADER)

    def add(self, planned: list[Planned]) -> None:
        for surgeon in planned:
            self.dac.writerows(_dac_row(surgeon, location) for location in surgeon.rows[PracticeLocation])
            medicare = [
                volume
                for volume in surgeon.rows.get(ProcedureVolume, [])
                if volume["source"] == ProcedureVolume.Source.CMS_BY_SERVICE
            ]
            for volume in medicare:  # a count of 22+ split between facility and office, each cell 11+ (unsuppressed)
                count, code = volume["count"], volume["cpt_code"]
                split = [(count // 2, "F"), (count - count // 2, "O")] if count >= 22 else [(count, "F")]
                self.cms.writerows(_cms_row(surgeon, code, services, place) for services, place in split)
            if medicare:
                self.cms.writerow(_cms_row(surgeon, OFFICE_VISIT, 180, "O"))

    def close(self, deactivated: list[tuple[str, date]], unrelated_npis: list[str]) -> None:
        """Close the CSV files and write the report: the deactivated demo NPIs and some of other providers."""
        self._dac.close()
        self._cms.close()
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["NPPES Deactivated NPI Report (demo)"])
        sheet.append(["NPI", "NPPES Deactivation Date"])
        others = [(npi, date(2019, 1, 15)) for npi in unrelated_npis[:UNRELATED_DEACTIVATIONS]]
        for npi, on in sorted([*deactivated, *others]):
            sheet.append([npi, on.strftime("%m/%d/%Y")])
        workbook.save(self.directory / DEACTIVATION_REPORT)
