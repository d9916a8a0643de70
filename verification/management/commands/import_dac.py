from pathlib import Path

from django.core.management.base import BaseCommand

from verification.sources.dac import dac_import

from ._file_import import file_import_run


class Command(BaseCommand):
    help = (
        "Import practice names, groups, addresses and phones, medical schools, graduation years and Medicare "
        "specialties for surgeons on file from CMS's Doctors and Clinicians National Downloadable File."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="DAC_NationalDownloadableFile.csv from data.cms.gov")

    def handle(self, *args, path, **options):
        file_import_run(self, path, lambda progress: dac_import(path=path, progress=progress))
