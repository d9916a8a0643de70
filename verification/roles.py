"""The two staff roles and their permissions; installed by a data migration."""

REVIEWER = "Reviewer"
PUBLISHER = "Publisher"

# Reviewers see the directory and verification; partner records (webhook secrets, keys) are the Publishers' alone.
_REVIEWER_VIEW_APPS = ("directory", "verification")
_PUBLISHER_VIEW_APPS = ("directory", "verification", "api")
REVIEWER_EXTRA = [
    ("verification", "override_checkresult"),
    ("verification", "rerun_checkresult"),
    *[
        ("directory", f"{action}_{model}")
        for model in (
            "evidencedocument",
            "statelicense",
            "disciplinaryaction",
            "boardcertification",
            "dearegistration",
            "statecontrolledsubstanceregistration",
            "malpracticepolicy",
        )
        for action in ("add", "change")
    ],
]
PUBLISHER_EXTRA = [
    ("verification", "publish_rankingsnapshot"),
    *[("api", f"{action}_{model}") for model in ("partner", "partnerapikey") for action in ("add", "change", "delete")],
]


def roles_install(group_model, permission_model) -> None:
    def views(apps):
        return permission_model.objects.filter(content_type__app_label__in=apps, codename__startswith="view_")

    def named(pairs):
        return [permission_model.objects.get(content_type__app_label=app, codename=code) for app, code in pairs]

    reviewer, _ = group_model.objects.get_or_create(name=REVIEWER)
    reviewer.permissions.set([*views(_REVIEWER_VIEW_APPS), *named(REVIEWER_EXTRA)])
    publisher, _ = group_model.objects.get_or_create(name=PUBLISHER)
    publisher.permissions.set([*views(_PUBLISHER_VIEW_APPS), *named(REVIEWER_EXTRA), *named(PUBLISHER_EXTRA)])
