"""The partner API's body of a published list, rendered once with the list's pages (see verification.rendering)."""

from django.conf import settings
from django.urls import reverse
from rest_framework.renderers import JSONRenderer

from verification import rendering

from . import serializers


def top_ten_json(snapshot, entries) -> bytes:
    snapshot.entries_list = entries
    snapshot.method_url = f"{settings.SITE_URL}{reverse('directory:how_we_verify')}#ranking-method"
    return JSONRenderer().render(serializers.TopTenSerializer(snapshot).data)


rendering.variant_register(rendering.TOP_TEN, "application/json", top_ten_json)
