"""Directory pages, under the "directory" namespace: consultation requests, the FBSS pages, how we verify, privacy."""

from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("surgeons/<str:npi>/consult/", views.consultation_request, name="consultation"),
    path("surgeons/<str:npi>/consult/sent/", views.consultation_sent, name="consultation_sent"),
    path("fbss/", views.education_index, name="education_index"),
    path("fbss/<slug:slug>/", views.education_detail, name="education"),
    path("how-we-verify/", views.how_we_verify, name="how_we_verify"),
    path("privacy/", views.privacy, name="privacy"),
]
