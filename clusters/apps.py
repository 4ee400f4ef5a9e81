from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

# The portal's content: what the cached pages show (clusters.pagecache). The login itself is left out (its
# last_login changes on every login); what a page shows of it is part of the page cache's key.
CONTENT_APPS = ("clusters", "members", "events", "projects")
NOT_CONTENT = ("members.User",)


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = _("Associations")

    def ready(self):
        from .models import Cluster, Goal, Topic
        from .pagecache import content_changed
        from .vocabulary import vocabulary_forget

        for model in (Cluster, Topic, Goal):
            post_save.connect(vocabulary_forget, sender=model, dispatch_uid=f"vocabulary-save-{model.__name__}")
            post_delete.connect(vocabulary_forget, sender=model, dispatch_uid=f"vocabulary-delete-{model.__name__}")
        for label in CONTENT_APPS:
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                if model._meta.label in NOT_CONTENT:
                    continue
                uid = f"pagecache-{model._meta.label}"
                post_save.connect(content_changed, sender=model, dispatch_uid=f"{uid}-save")
                post_delete.connect(content_changed, sender=model, dispatch_uid=f"{uid}-delete")
                m2m_changed.connect(content_changed, sender=model, dispatch_uid=f"{uid}-m2m")
