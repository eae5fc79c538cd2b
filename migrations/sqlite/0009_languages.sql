-- why: issue 7 — crime areas get Macedonian and Albanian names (Serbian Cyrillic is transliterated from the Latin name, never stored), an invitation remembers the language its e-mail was written in, and a user may choose the time zone dates are shown in.
ALTER TABLE crime_areas ADD COLUMN name_mk TEXT NOT NULL DEFAULT '';
ALTER TABLE crime_areas ADD COLUMN name_sq TEXT NOT NULL DEFAULT '';
-- First translations, to be reviewed by native speakers with the rest of the mk/sq texts.
UPDATE crime_areas SET name_mk = 'Контролирани психоактивни супстанции', name_sq = 'Substancat psikoaktive të kontrolluara' WHERE code = 'DRUGS';
UPDATE crime_areas SET name_mk = 'Криумчарење мигранти (нерегуларна миграција)', name_sq = 'Kontrabanda e migrantëve (migrimi i parregullt)' WHERE code = 'MIGRANT_SMUGGLING';
UPDATE crime_areas SET name_mk = 'Трговија со луѓе', name_sq = 'Trafikimi i qenieve njerëzore' WHERE code = 'THB';
UPDATE crime_areas SET name_mk = 'Високотехнолошки криминал', name_sq = 'Krimi i teknologjisë së lartë' WHERE code = 'CYBER';
UPDATE crime_areas SET name_mk = 'Финансиски и економски криминал (вкл. криумчарење акцизни стоки)', name_sq = 'Krimi financiar dhe ekonomik (përfshirë kontrabandën e mallrave të akcizës)' WHERE code = 'FINANCIAL';
UPDATE crime_areas SET name_mk = 'Перење пари', name_sq = 'Pastrimi i parave' WHERE code = 'MONEY_LAUNDERING';
UPDATE crime_areas SET name_mk = 'Недозволена трговија со оружје', name_sq = 'Trafikimi i armëve' WHERE code = 'FIREARMS';
UPDATE crime_areas SET name_mk = 'Киднапирања и изнуди', name_sq = 'Rrëmbimet dhe zhvatjet' WHERE code = 'EXTORTION';
UPDATE crime_areas SET name_mk = 'Разбојништва', name_sq = 'Grabitjet' WHERE code = 'ROBBERY';
UPDATE crime_areas SET name_mk = 'Криминал поврзан со моторни возила', name_sq = 'Krimi që lidhet me automjetet' WHERE code = 'VEHICLE_CRIME';
UPDATE crime_areas SET name_mk = 'Организирани криминални групи', name_sq = 'Grupet e krimit të organizuar' WHERE code = 'OCG';

-- A culture code of the portal (en, sr-Latn, sr-Cyrl, mk, sq); NULL for invitations sent before this step.
ALTER TABLE invitations ADD COLUMN culture TEXT;
-- An IANA zone id; NULL means the default zone of the user's language (see TimeZones in Core).
ALTER TABLE users ADD COLUMN time_zone TEXT;
