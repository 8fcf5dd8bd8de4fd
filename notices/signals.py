"""Any change to a notice or a label bumps the cache version: the next request sees it."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .labelling import bump_version
from .models import Label, Notice


@receiver(post_save, sender=Notice)
@receiver(post_delete, sender=Notice)
@receiver(post_save, sender=Label)
@receiver(post_delete, sender=Label)
@receiver(m2m_changed, sender=Notice.sections.through)
@receiver(m2m_changed, sender=Notice.articles.through)
def notices_changed(**kwargs):
    bump_version()
