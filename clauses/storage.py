from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Private files (proofs, CVs, generated PDFs): they have no address of their own. A view that checks the
    user's rights serves them, as attachments."""

    def url(self, name):
        raise ValueError(
            "Les fichiers privés n'ont pas d'adresse publique : servez-les par une vue qui vérifie les droits."
        )
