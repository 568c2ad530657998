from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "fazhan.reviews"
    label = "reviews"
