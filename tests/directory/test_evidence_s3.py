"""Evidence documents in an S3-compatible bucket: a real S3 API (moto's server on loopback), real boto3."""

import boto3
import pytest
from django.urls import reverse
from moto.server import ThreadedMotoServer

from directory.models import EvidenceDocument
from tests.verification.test_reviewer_admin import PDF, _upload

BUCKET = "spine-evidence-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "k",
                "secret_key": "s",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_an_upload_lands_in_the_bucket_privately_and_staff_download_it(client, surgeon, bucket, make_staff):
    response = _upload(client, make_staff("Reviewer"), surgeon.licenses.get(), "profile.pdf", PDF)
    assert response.status_code == 302
    document = EvidenceDocument.objects.get()
    stored = bucket.get_object(Bucket=BUCKET, Key=document.file.name)
    assert stored["Body"].read() == PDF
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=document.file.name)["Grants"]
    assert all("AllUsers" not in str(grant.get("Grantee")) for grant in grants)  # never public-read

    url = reverse("admin:directory_evidencedocument_download", args=[document.id])
    assert b"".join(client.get(url).streaming_content) == PDF
    client.logout()
    assert client.get(url).status_code == 302
