//! Small text utilities shared by features, dataset alignment and evaluation.

/// Tokens as the regex `\w+` finds them (Unicode letters, digits, marks and connector
/// punctuation), in order.
pub fn word_tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|t| !t.is_empty())
}

pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_mark(c)
}

fn is_mark(c: char) -> bool {
    // Combining marks used by Indic, Thai and other scripts, which `\w` includes.
    matches!(c as u32, 0x0300..=0x036F | 0x0900..=0x0DFF | 0x0E31..=0x0E4E | 0x1AB0..=0x1AFF | 0x20D0..=0x20FF)
}

/// FNV-1a: a stable hash, unlike std's randomised one, so hashed features mean the same
/// thing in the process that trained a model and in every process that uses it.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    Fnv1a::new().bytes(bytes).finish()
}

/// [`fnv1a`] fed piece by piece: hashing `a` then `b` equals hashing their concatenation.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(pub u64);

impl Fnv1a {
    pub fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    pub fn bytes(mut self, bytes: &[u8]) -> Self {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self
    }

    pub fn finish(self) -> u64 {
        self.0
    }
}

/// [`fnv1a`] of an ASCII text lowercased, without writing the lowercase copy; `None` when the
/// text is not ASCII (whose lowercasing the caller does as it always did).
pub fn fnv1a_ascii_lowercase(text: &str) -> Option<u64> {
    text.is_ascii().then(|| {
        let mut hash = Fnv1a::new();
        for b in text.bytes() {
            hash = hash.bytes(&[b.to_ascii_lowercase()]);
        }
        hash.finish()
    })
}

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a::new()
    }
}

/// Appends `token` lowercased to `out`, exactly as `str::to_lowercase` would, without
/// allocating for the common case (ASCII, or no final sigma).
pub fn lowercase_into(token: &str, out: &mut String) {
    if token.is_ascii() {
        let start = out.len();
        out.push_str(token);
        out[start..].make_ascii_lowercase();
    } else if token.contains('Σ') {
        // Only capital sigma lowercases by position (σ or word-final ς).
        out.push_str(&token.to_lowercase());
    } else {
        out.extend(token.chars().flat_map(char::to_lowercase));
    }
}

/// Most frequent function words per language. A block's share of them tells running prose
/// from menus and link lists in any of these languages (as in boilerpipe and jusText).
pub const STOPWORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "of", "and", "to", "a", "in", "is", "it", "that", "for", "was", "on", "are",
            "as", "with", "he", "she", "they", "be", "at", "by", "this", "have", "from", "or",
            "had", "not", "but", "what", "were", "we", "when", "there", "can", "an", "which",
            "their", "if", "will", "would", "been", "has", "its", "who", "his", "her", "i", "you",
            "said", "than",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "und", "in", "den", "von", "zu", "das", "mit", "sich", "des", "auf",
            "für", "ist", "im", "dem", "nicht", "ein", "eine", "als", "auch", "es", "an", "werden",
            "aus", "er", "hat", "dass", "sie", "nach", "wird", "bei", "einer", "um", "am", "sind",
            "noch", "wie", "einem", "über", "einen", "so", "zum", "war", "haben", "nur", "oder",
            "aber", "vor", "zur",
        ],
    ),
    (
        "fr",
        &[
            "de", "la", "le", "et", "les", "des", "en", "un", "du", "une", "que", "est", "pour",
            "qui", "dans", "par", "plus", "pas", "au", "sur", "ne", "se", "ce", "il", "sont",
            "avec", "son", "aux", "elle", "mais", "nous", "ou", "leur", "été", "cette", "ont",
            "ses", "comme", "on", "tout", "fait", "ils", "sa", "était", "aussi", "très", "je",
            "vous", "lui", "deux",
        ],
    ),
    (
        "es",
        &[
            "de", "la", "que", "el", "en", "y", "a", "los", "del", "se", "las", "por", "un",
            "para", "con", "no", "una", "su", "al", "es", "lo", "como", "más", "pero", "sus", "le",
            "ya", "o", "fue", "este", "ha", "sí", "porque", "esta", "son", "entre", "está",
            "cuando", "muy", "sin", "sobre", "ser", "tiene", "también", "me", "hasta", "hay",
            "donde", "han", "quien",
        ],
    ),
    (
        "it",
        &[
            "di", "e", "il", "la", "che", "a", "per", "in", "un", "è", "del", "non", "una",
            "della", "i", "le", "si", "da", "con", "sono", "al", "gli", "nel", "alla", "dei",
            "come", "più", "anche", "ha", "ma", "lo", "delle", "se", "questo", "nella", "essere",
            "tra", "sua", "suo", "era", "dal", "cui", "hanno", "ci", "quando", "stato", "perché",
            "loro", "molto", "o",
        ],
    ),
    (
        "pt",
        &[
            "de", "a", "o", "que", "e", "do", "da", "em", "um", "para", "é", "com", "não", "uma",
            "os", "no", "se", "na", "por", "mais", "as", "dos", "como", "mas", "foi", "ao", "ele",
            "das", "tem", "à", "seu", "sua", "ou", "ser", "quando", "muito", "há", "nos", "já",
            "está", "eu", "também", "só", "pelo", "pela", "até", "isso", "ela", "entre", "era",
        ],
    ),
    (
        "nl",
        &[
            "de", "en", "van", "het", "een", "in", "is", "dat", "op", "te", "zijn", "met", "voor",
            "niet", "die", "aan", "er", "om", "ook", "als", "bij", "door", "maar", "uit", "of",
            "wordt", "naar", "dan", "nog", "worden", "heeft", "was", "wel", "deze", "hij", "ze",
            "over", "tot", "kan", "hun", "al", "zo", "we", "je", "meer", "werd", "geen", "moet",
            "wat", "hebben",
        ],
    ),
    (
        "pl",
        &[
            "i", "w", "na", "z", "do", "się", "nie", "że", "to", "jest", "o", "jak", "a", "po",
            "co", "od", "za", "tak", "ale", "przez", "dla", "są", "jego", "czy", "by", "jej",
            "może", "być", "już", "tylko", "było", "ich", "też", "lub", "gdy", "tym", "oraz",
            "który", "która", "które", "przy", "bardzo", "ten", "ta", "był", "była", "jako",
            "jednak", "także", "tego",
        ],
    ),
    (
        "ru",
        &[
            "и",
            "в",
            "не",
            "на",
            "что",
            "с",
            "по",
            "это",
            "как",
            "к",
            "он",
            "из",
            "а",
            "то",
            "за",
            "для",
            "от",
            "у",
            "о",
            "его",
            "все",
            "так",
            "но",
            "же",
            "она",
            "было",
            "был",
            "они",
            "бы",
            "мы",
            "уже",
            "только",
            "или",
            "при",
            "если",
            "ее",
            "до",
            "также",
            "когда",
            "этом",
            "чтобы",
            "может",
            "их",
            "этого",
            "быть",
            "есть",
            "была",
            "который",
            "года",
            "более",
        ],
    ),
    (
        "sv",
        &[
            "och", "i", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till", "den",
            "har", "de", "inte", "om", "ett", "han", "men", "var", "jag", "sig", "från", "vi",
            "så", "kan", "man", "när", "år", "säger", "hon", "under", "också", "efter", "eller",
            "nu", "sin", "där", "vid", "mot", "ska", "skulle", "kommer", "ut", "får", "finns",
            "vara", "hade", "alla",
        ],
    ),
    (
        "cs",
        &[
            "a", "se", "na", "v", "je", "že", "to", "s", "z", "do", "o", "k", "i", "jako", "ve",
            "pro", "by", "ale", "jsou", "za", "jeho", "od", "po", "tak", "jak", "které", "který",
            "která", "jen", "už", "bylo", "byl", "byla", "také", "nebo", "při", "jejich", "jsem",
            "má", "podle", "než", "ani", "když", "mezi", "bude", "však", "své", "před", "až",
            "tím",
        ],
    ),
    (
        "tr",
        &[
            "ve",
            "bir",
            "bu",
            "da",
            "de",
            "için",
            "ile",
            "olarak",
            "çok",
            "daha",
            "gibi",
            "en",
            "ne",
            "o",
            "ama",
            "olan",
            "kadar",
            "sonra",
            "her",
            "var",
            "değil",
            "ki",
            "mi",
            "şey",
            "ya",
            "bu",
            "ise",
            "tarafından",
            "olduğu",
            "göre",
            "yok",
            "nasıl",
            "şu",
            "ben",
            "sen",
            "biz",
            "onlar",
            "hem",
            "veya",
            "ancak",
            "yeni",
            "büyük",
            "ilk",
            "iki",
            "önce",
            "diye",
            "artık",
            "bile",
            "sadece",
            "tüm",
        ],
    ),
    (
        "id",
        &[
            "yang", "dan", "di", "ini", "itu", "dengan", "untuk", "tidak", "dari", "dalam", "akan",
            "pada", "juga", "ke", "karena", "ada", "oleh", "saya", "mereka", "bisa", "kami",
            "atau", "sudah", "telah", "lebih", "kita", "seperti", "hanya", "harus", "masih", "dia",
            "banyak", "namun", "tersebut", "bahwa", "saat", "para", "jika", "sebagai", "setelah",
            "kata", "menjadi", "hal", "orang", "tahun", "baru", "lain", "belum", "sangat", "agar",
        ],
    ),
];

/// For each stopword's [`fnv1a`] hash, the bit set of the languages (indices into
/// [`STOPWORDS`]) it belongs to: one cheap lookup per word instead of a scan of every list.
fn stopword_index() -> &'static std::collections::HashMap<u64, u32, PrehashedState> {
    static INDEX: std::sync::OnceLock<std::collections::HashMap<u64, u32, PrehashedState>> =
        std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = std::collections::HashMap::default();
        for (i, (_, list)) in STOPWORDS.iter().enumerate() {
            for word in *list {
                *index.entry(fnv1a(word.as_bytes())).or_insert(0) |= 1 << i;
            }
        }
        index
    })
}

/// The languages (bit set over [`STOPWORDS`]) in which `lowercase_word` is a stopword.
pub fn stopword_languages(lowercase_word: &str) -> u32 {
    stopword_languages_of_hash(fnv1a(lowercase_word.as_bytes()))
}

/// As [`stopword_languages`], for a word already hashed with [`fnv1a`].
pub fn stopword_languages_of_hash(word_hash: u64) -> u32 {
    stopword_index().get(&word_hash).copied().unwrap_or(0)
}

/// A `HashMap` hasher for keys that are already good 64-bit hashes: it passes them through.
#[derive(Debug, Clone, Copy, Default)]
pub struct PrehashedState;

impl std::hash::BuildHasher for PrehashedState {
    type Hasher = Prehashed;
    fn build_hasher(&self) -> Prehashed {
        Prehashed(0)
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed with this; other input still hashes, just slowly.
        self.0 = Fnv1a(self.0).bytes(bytes).finish();
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// How many words from the start of a text decide its language.
pub const LANGUAGE_SAMPLE_WORDS: usize = 5000;

/// The language (index into [`STOPWORDS`]) whose function words are most frequent among the
/// text's first [`LANGUAGE_SAMPLE_WORDS`] words; `None` when none occur (e.g. CJK pages).
pub fn guess_language<'a>(words: impl Iterator<Item = &'a str>) -> Option<usize> {
    let mut hits = [0usize; STOPWORDS.len()];
    count_stopwords(words.take(LANGUAGE_SAMPLE_WORDS), &mut hits);
    most_hit_language(&hits)
}

/// Adds one to `hits[language]` for each word that is a function word of that language.
pub fn count_stopwords<'a>(
    words: impl Iterator<Item = &'a str>,
    hits: &mut [usize; STOPWORDS.len()],
) {
    let mut lower = String::new();
    for word in words {
        lower.clear();
        lowercase_into(word, &mut lower);
        for_each_bit(stopword_languages(&lower), |language| hits[language] += 1);
    }
}

/// The language with the most stopword hits, if any has one.
pub fn most_hit_language(hits: &[usize; STOPWORDS.len()]) -> Option<usize> {
    let (best, &count) = hits.iter().enumerate().max_by_key(|(_, &c)| c)?;
    (count > 0).then_some(best)
}

/// Calls `f` with the index of every set bit, lowest first.
pub fn for_each_bit(mut bits: u32, mut f: impl FnMut(usize)) {
    while bits != 0 {
        f(bits.trailing_zeros() as usize);
        bits &= bits - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_words_hash_as_their_lowercase_copy_would() {
        for word in ["Hello", "WORLD", "x", "", "a-B_c9"] {
            let lower = word.to_lowercase();
            assert_eq!(fnv1a_ascii_lowercase(word), Some(fnv1a(lower.as_bytes())));
        }
        assert_eq!(fnv1a_ascii_lowercase("Straße"), None);
    }

    #[test]
    fn word_tokens_match_backslash_w() {
        let tokens: Vec<&str> = word_tokens("It's 3.5 km—to Zürich_West!").collect();
        assert_eq!(tokens, ["It", "s", "3", "5", "km", "to", "Zürich_West"]);
    }

    #[test]
    fn languages_are_guessed_from_function_words() {
        let de = "Die Stadt hat sich für den Bau entschieden und es wird bald beginnen";
        let fr = "Le maire a annoncé que les travaux de la place seront terminés pour la rentrée";
        let name = |t: &str| guess_language(word_tokens(t)).map(|i| STOPWORDS[i].0);
        assert_eq!(name(de), Some("de"));
        assert_eq!(name(fr), Some("fr"));
        assert_eq!(name("東京"), None);
    }
}
