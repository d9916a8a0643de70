"""Public listing pages; combined with the directory pages under the "directory" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("cities/", views.city_index, name="city_index"),
    path("cities/<slug:slug>/", views.city_detail, name="city"),
    path("cities/<slug:slug>/history/", views.city_history, name="city_history"),
    path("cities/<slug:slug>/lists/<int:snapshot_id>/", views.snapshot_detail, name="snapshot"),
    path("surgeons/<str:npi>/", views.surgeon_detail, name="surgeon"),
    path("search/", views.search, name="search"),
]
