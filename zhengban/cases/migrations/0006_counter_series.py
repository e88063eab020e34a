from django.db import migrations, models


class Migration(migrations.Migration):
    """The counter is the public allocator keyed by (series, year); 文号 series are longer
    than case types."""

    dependencies = [("cases", "0005_kernel2_tasks_slots_reports")]

    operations = [
        migrations.RemoveConstraint(model_name="casecounter", name="case_counter_unique"),
        migrations.RenameField(model_name="casecounter", old_name="case_type", new_name="series"),
        migrations.AlterField(
            model_name="casecounter", name="series", field=models.CharField(max_length=64)
        ),
        migrations.AddConstraint(
            model_name="casecounter",
            constraint=models.UniqueConstraint(
                fields=("series", "year"), name="case_counter_unique"
            ),
        ),
    ]
