"""One settings module for every environment: everything that differs comes from the environment."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = os.environ.get("SECRET_KEY") or ("dev-only-insecure-key" if DEBUG else None)
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY doit être défini quand DEBUG est désactivé.")
# Signs the backups (contrat_ville/sauvegarde/): an archive is restored only where this key is the same.
SAUVEGARDE_CLE = os.environ.get("SAUVEGARDE_CLE") or SECRET_KEY
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "django_tasks",
    # Named in French in the back-office (contrat_ville/applications.py); labels and tables unchanged.
    "contrat_ville.applications.TachesConfig",
    "contrat_ville.applications.TentativesDeConnexionConfig",
    # Rules that must hold whatever writes to PostgreSQL (voted tranches, one authority per row).
    "pgtrigger",
    "contrat_ville",
    "programmation",
    "deliberations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "contrat_ville.securite.PolitiqueDeContenuMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it reads the outcome of the login attempts.
    "axes.middleware.AxesMiddleware",
    "contrat_ville.indisponible.BaseIndisponibleMiddleware",
]

if not DEBUG:
    # Static files served by the web process itself, compressed and cached forever (hashed names).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "contrat_ville.urls"
WSGI_APPLICATION = "contrat_ville.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
if env_bool("DB_POOL") and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # psycopg's pool, one per process: a request borrows an open connection instead of opening one.
    # One kept open is what a sync gunicorn worker uses; more are opened only for threaded workers.
    DATABASES["default"]["OPTIONS"] = {
        "pool": {"min_size": 1, "max_size": int(os.environ.get("DB_POOL_MAX", "10")), "timeout": 10}
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "0"))
# A connection is tried before it is used or lent: after a database restart, none is used broken.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The database's rules (pgtrigger) read this setting on every row they check; unset, the read raises
    # an error caught in a subtransaction, which made a 20 000-action load 9 to 17 times slower. Empty:
    # no trigger is skipped (pgtrigger.ignore() still sets it for one transaction).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c pgtrigger.ignore={}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "contrat_ville.User"
AUTHENTICATION_BACKENDS = [
    # Refuses the attempts of a locked-out user and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "contrat_ville.authentification.Authentification",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr-fr"
# French whatever the browser asks for: the only language offered to LocaleMiddleware.
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed copies made by collectstatic; in development the files are served as they are.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# Sessions in the database: every web process sees the same ones (a logout is a logout everywhere).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ne-pas-repondre@localhost")

# Documents: the task worker (`manage.py travailleur`) makes those above this many actions.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
DOCUMENTS_SEUIL_ARRIERE_PLAN = int(os.environ.get("DOCUMENTS_SEUIL_ARRIERE_PLAN", "150"))
# A document still unfinished after this many seconds lost its worker: it is marked failed.
DOCUMENTS_DELAI_MAXIMAL = int(os.environ.get("DOCUMENTS_DELAI_MAXIMAL", "1800"))
# Documents one user may have waiting or being made at once (the same document is joined, not counted).
DOCUMENTS_PAR_UTILISATEUR = int(os.environ.get("DOCUMENTS_PAR_UTILISATEUR", "3"))
# Each worker records a heartbeat every DOCUMENTS_BATTEMENT seconds; one silent for DOCUMENTS_SILENCE_MAXIMAL
# is dead: /sante/ says "degrade" when none is alive, and its tasks are queued again, DOCUMENTS_TENTATIVES
# attempts in all before the document is marked failed.
DOCUMENTS_BATTEMENT = int(os.environ.get("DOCUMENTS_BATTEMENT", "10"))
DOCUMENTS_SILENCE_MAXIMAL = int(os.environ.get("DOCUMENTS_SILENCE_MAXIMAL", "60"))
DOCUMENTS_TENTATIVES = int(os.environ.get("DOCUMENTS_TENTATIVES", "2"))

# Login throttling, for a quarter of an hour: five failures lock the pair (user name, address); ten
# failures from any addresses lock the user name itself, so that addresses changing at each attempt
# (a client forging X-Forwarded-For past a wrong NOMBRE_DE_PROXYS, a botnet) never give unlimited tries.
AXES_ECHECS_PAR_ADRESSE = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ECHECS_PAR_IDENTIFIANT = int(os.environ.get("AXES_ECHECS_PAR_IDENTIFIANT", "10"))
AXES_FAILURE_LIMIT = "contrat_ville.securite.limite_d_echecs"
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HEURES", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_LOCKOUT_TEMPLATE = "registration/verrouille.html"
AXES_RESET_ON_SUCCESS = True
# Behind NOMBRE_DE_PROXYS reverse proxies, the client's address is read from X-Forwarded-For.
NOMBRE_DE_PROXYS = int(os.environ.get("NOMBRE_DE_PROXYS", "0"))
AXES_CLIENT_IP_CALLABLE = "contrat_ville.securite.adresse_du_client"

# Sessions end after a working day, and with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# HTTPS and headers: on by default when DEBUG is off (`manage.py check --deploy` is clean).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("COOKIES_SECURISES", default=not DEBUG)
if env_bool("DERRIERE_UN_PROXY_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# The pages load nothing from elsewhere and carry no inline script or style (see contrat_ville/securite.py).
POLITIQUE_DE_CONTENU = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# Logs: one JSON object a line on standard output, for whatever collects the service's output.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "contrat_ville.journalisation.FormatJSON"}},
    "handlers": {"sortie": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["sortie"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["sortie"], "level": os.environ.get("LOG_LEVEL", "INFO"), "propagate": False},
        # Its start-up line on every command is noise; lockouts are warnings.
        "axes": {"handlers": ["sortie"], "level": "WARNING", "propagate": False},
        # WeasyPrint and its font subsetting log every page and font at INFO: dozens of lines a document.
        "weasyprint": {"handlers": ["sortie"], "level": "WARNING", "propagate": False},
        "fontTools": {"handlers": ["sortie"], "level": "WARNING", "propagate": False},
    },
}

# Health check: the queue of documents is "blocked" when a task has waited longer than this.
SANTE_ATTENTE_MAXIMALE = int(os.environ.get("SANTE_ATTENTE_MAXIMALE", "300"))
