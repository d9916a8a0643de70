"""Public listing pages, under the "verification" namespace: home, cities, a city's lists, profiles, search."""

from django.urls import path

from . import views

app_name = "verification"
urlpatterns = [
    path("", views.home, name="home"),
    path("cities/", views.city_index, name="city_index"),
    path("cities/<slug:slug>/", views.city_detail, name="city"),
    path("cities/<slug:slug>/history/", views.city_history, name="city_history"),
    path("cities/<slug:slug>/lists/<int:snapshot_id>/", views.snapshot_detail, name="snapshot"),
    path("surgeons/<str:npi>/", views.surgeon_detail, name="surgeon"),
    path("search/", views.search, name="search"),
]
