# Pages of the reporting app arrive with their issue; the namespace is reserved here.
app_name = "reporting"

urlpatterns: list = []
