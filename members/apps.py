from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        from .backends import user_changed
        from .models import User

        post_save.connect(user_changed, sender=User, dispatch_uid="auth-user-copy-save")
        post_delete.connect(user_changed, sender=User, dispatch_uid="auth-user-copy-delete")
