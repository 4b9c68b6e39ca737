"""Load Việt Nam's public holidays 2025–2027 (``procedures.holidays_data``) into the calendar.

Idempotent: rows are matched by date and updated. Reversing deletes the rows on those dates.
Admins correct or extend the table in the admin site afterwards (2027 is provisional).
"""

from django.db import migrations

from procedures.holidays_data import HOLIDAYS


def load(apps, schema_editor):
    Holiday = apps.get_model("procedures", "Holiday")
    db = schema_editor.connection.alias
    for day, name, kind in HOLIDAYS:
        Holiday.objects.using(db).update_or_create(date=day, defaults={"name": name, "kind": kind})


def unload(apps, schema_editor):
    Holiday = apps.get_model("procedures", "Holiday")
    db = schema_editor.connection.alias
    Holiday.objects.using(db).filter(date__in=[day for day, _name, _kind in HOLIDAYS]).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0002_search_trigram_index")]
    operations = [migrations.RunPython(load, unload)]
