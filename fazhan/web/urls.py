from django.urls import path

from fazhan.web import dossier_views, intake, lifecycle, views

urlpatterns = [
    path("", views.home, name="home"),
    path("candidates/", views.candidate_list, name="candidates"),
    path("candidates/new/", intake.register, name="register"),
    path("candidates/new/check/", intake.register_check, name="register_check"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate"),
    path("candidates/<int:pk>/attributes/", intake.change_attributes, name="attributes"),
    # The generic door records only the steps no app owns (DESIGN principle 5); any step entered
    # as a past fact (补录, principle 4) has its own address.
    path("candidates/<int:pk>/record/<str:step>/", views.record_step, name="record_step"),
    path("candidates/<int:pk>/past/<str:step>/", views.past_step, name="past_step"),
    path("candidates/<int:pk>/suspend/", lifecycle.suspend, name="suspend"),
    path("candidates/<int:pk>/resume/", lifecycle.resume, name="resume"),
    path("candidates/<int:pk>/withdraw/", lifecycle.withdraw, name="withdraw"),
    path("candidates/<int:pk>/reject/", lifecycle.reject, name="reject"),
    path("candidates/<int:pk>/transfer/", lifecycle.transfer, name="transfer"),
    path("candidates/<int:pk>/accept/", lifecycle.accept, name="accept"),
    path("candidates/<int:pk>/correct/", lifecycle.correct, name="correct"),
    path("candidates/batch/", views.batch, name="batch"),
    path("candidates/<int:pk>/thoughts/", dossier_views.thoughts, name="thoughts"),
    path("past-facts/<int:pk>/", dossier_views.past_fact, name="past_fact"),
]
