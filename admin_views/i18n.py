"""Indonesian messages for WTForms and Flask-Admin; the catalogs live in translations/."""

from flask_admin.form import BaseForm
from flask_wtf import FlaskForm

from models.words import TRANSLATIONS_DIR, bind_clean_text_field, wtforms_translations


class _IndonesianMeta:
    """The project's form meta: WTForms messages in Indonesian, text without control
    characters."""

    def get_translations(self, form):
        return wtforms_translations()

    def bind_field(self, form, unbound_field, options):
        return bind_clean_text_field(unbound_field, form, options)


class AdminBaseForm(BaseForm):
    """Base of every Flask-Admin form: WTForms messages in Indonesian."""

    class Meta(_IndonesianMeta, BaseForm.Meta):
        pass


class AppForm(FlaskForm):
    """Base of the application's own forms: CSRF-protected, messages in Indonesian."""

    class Meta(_IndonesianMeta, FlaskForm.Meta):
        pass


def use_project_catalogs() -> None:
    """Make Flask-Admin's own strings read translations/id/LC_MESSAGES/admin.mo.

    Flask-Admin ships no Indonesian catalog. Its domain merges the catalogs of its
    translation directories in order; when its own folder (no `id`) comes after ours, the
    merge keeps English plural rules ("50 items"). Listing our folder last keeps ours.
    """
    import flask_admin.babel as admin_babel

    base = type(admin_babel.domain)
    if getattr(base, "_project_catalog", False):
        return

    class ProjectLastDomain(base):
        _project_catalog = True

        @property
        def translation_directories(self):
            return [*self._translation_directories, str(TRANSLATIONS_DIR)]

    admin_babel.domain.__class__ = ProjectLastDomain
