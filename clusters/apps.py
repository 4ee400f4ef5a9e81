from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = _("Associations")

    def ready(self):
        from .models import Cluster, Goal, Topic
        from .vocabulary import vocabulary_forget

        for model in (Cluster, Topic, Goal):
            post_save.connect(vocabulary_forget, sender=model, dispatch_uid=f"vocabulary-save-{model.__name__}")
            post_delete.connect(vocabulary_forget, sender=model, dispatch_uid=f"vocabulary-delete-{model.__name__}")
