"""Directory pages; combined with the listing pages under the "directory" namespace in config/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("surgeons/<str:npi>/consult/", views.consultation_request, name="consultation"),
    path("surgeons/<str:npi>/consult/sent/", views.consultation_sent, name="consultation_sent"),
    path("fbss/", views.education_index, name="education_index"),
    path("fbss/<slug:slug>/", views.education_detail, name="education"),
    path("how-we-verify/", views.how_we_verify, name="how_we_verify"),
    path("privacy/", views.privacy, name="privacy"),
]
