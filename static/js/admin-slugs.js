'use strict';
// The admin's prepopulated slugs (headline → slug) transliterate Cyrillic as the server does
// (articles/slugs.py): the table of ICAO Doc 9303, the system of Russian passports, then
// Django's own URLify for the rest. Django's URLify alone writes "h" for "х", "c" for "ц",
// "sh" for "щ": a different, non-standard system from what a slug left empty would get.
{
    const ICAO_9303 = {
        'а': 'a', 'б': 'b', 'в': 'v', 'г': 'g', 'д': 'd', 'е': 'e', 'ё': 'e', 'ж': 'zh',
        'з': 'z', 'и': 'i', 'й': 'i', 'к': 'k', 'л': 'l', 'м': 'm', 'н': 'n', 'о': 'o',
        'п': 'p', 'р': 'r', 'с': 's', 'т': 't', 'у': 'u', 'ф': 'f', 'х': 'kh', 'ц': 'ts',
        'ч': 'ch', 'ш': 'sh', 'щ': 'shch', 'ъ': 'ie', 'ы': 'y', 'ь': '', 'э': 'e', 'ю': 'iu',
        'я': 'ia', 'ґ': 'g', 'є': 'ie', 'і': 'i', 'ї': 'i', 'ў': 'u'
    };
    const djangoURLify = window.URLify;
    if (djangoURLify) {
        window.URLify = function(s, numChars, allowUnicode) {
            const latin = Array.from(s.toLowerCase(), (c) => ICAO_9303[c] ?? c).join('');
            // As the server's slugify: no hyphen or underscore at either end.
            return djangoURLify(latin, numChars, allowUnicode).replace(/^[-_]+|[-_]+$/g, '');
        };
    }
}
