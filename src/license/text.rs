//! License text normalised for matching: lowercase, straight quotes, Markdown
//! markers dropped, whitespace collapsed — with every word mapped back to its
//! line and bytes in the original, so matches can be cited.

/// Words per shingle when comparing texts.
pub const SHINGLE: usize = 3;

/// A normalised text with its way back to the original.
#[derive(Debug, Clone)]
pub struct NormText {
    /// The normalised text: words joined by single spaces.
    pub norm: String,
    original: String,
    /// Byte offset of each word in `norm`.
    word_starts: Vec<usize>,
    /// 1-based original line of each word.
    word_lines: Vec<u32>,
    /// Byte range of each word in the original text.
    word_spans: Vec<(usize, usize)>,
    /// True for words that open a paragraph (after a blank line or a heading).
    para_starts: Vec<bool>,
}

fn fold_char(c: char) -> Option<char> {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' => Some('\''),
        '\u{201C}' | '\u{201D}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => Some('"'),
        '\u{2010}'..='\u{2015}' => Some('-'),
        // Full-width punctuation of Chinese and Japanese text, so sentences
        // end and clauses read as in English text.
        '。' | '．' => Some('.'),
        '；' => Some(';'),
        '！' => Some('!'),
        '？' => Some('?'),
        '：' => Some(':'),
        '，' => Some(','),
        '（' => Some('('),
        '）' => Some(')'),
        '【' | '「' | '『' => Some('['),
        '】' | '」' | '』' => Some(']'),
        '*' | '`' => None,
        c if c >= '\u{4E00}' => Some(simplified(c)),
        c => Some(c),
    }
}

/// Traditional characters of license vocabulary (商業, 組織, 授權, 許可, 書面,
/// 營業收入 …) and the simplified ones they fold to, in the same order, so a
/// text in traditional characters reads as the simplified clause patterns
/// are written. Not a converter: one character for one, and only those.
const TRADITIONAL: &str = "業組織資許權書請記營學術個僅於為與應須經費務產發進將對轉讓開億萬躍數機構單國錢傳並關聯係絡體據違規範圍歸屬獲準則責證標識複製軟實現義專醫療軍監視廣區別號碼類額幣臺總達過賣買價貨嚴負損險擔護隱認訂議約續終無聲稱說讀問題時間從來這們會兩當條協處團齊習練訓網際靈衛驗測評佈閱覽銷貿運戶設計畫圖語庫檔釋變換譯編輯錄員職門級審備電話郵詢諮絕屆滿罰賠償訴訟後適優內憑確紙簽蓋獨佔贈毀擁風陸灣樣遲繫";
const SIMPLIFIED: &str = "业组织资许权书请记营学术个仅于为与应须经费务产发进将对转让开亿万跃数机构单国钱传并关联系络体据违规范围归属获准则责证标识复制软实现义专医疗军监视广区别号码类额币台总达过卖买价货严负损险担护隐认订议约续终无声称说读问题时间从来这们会两当条协处团齐习练训网际灵卫验测评布阅览销贸运户设计画图语库档释变换译编辑录员职门级审备电话邮询咨绝届满罚赔偿诉讼后适优内凭确纸签盖独占赠毁拥风陆湾样迟系";

/// The simplified form of a traditional character of `TRADITIONAL`; any
/// other character as it is.
fn simplified(c: char) -> char {
    use std::sync::OnceLock;
    static TABLE: OnceLock<Vec<(char, char)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t: Vec<(char, char)> = TRADITIONAL.chars().zip(SIMPLIFIED.chars()).collect();
        t.sort_unstable();
        t
    });
    table
        .binary_search_by_key(&c, |&(t, _)| t)
        .ok()
        .and_then(|i| table.get(i))
        .map_or(c, |&(_, s)| s)
}

/// Normalises one word; `None` when nothing is left.
fn norm_word(word: &str) -> Option<String> {
    let mut out = String::with_capacity(word.len());
    for c in word.chars().filter_map(fold_char) {
        out.extend(c.to_lowercase());
    }
    let trimmed = out.trim_matches('_');
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

impl NormText {
    /// Normalises `text`.
    pub fn new(text: &str) -> NormText {
        let mut t = NormText {
            norm: String::with_capacity(text.len()),
            original: text.to_string(),
            word_starts: Vec::new(),
            word_lines: Vec::new(),
            word_spans: Vec::new(),
            para_starts: Vec::new(),
        };
        let mut new_para = true;
        let mut line_start = 0usize;
        for (line_no, line) in text.split('\n').enumerate() {
            let trimmed = line.trim();
            // a blank line, or a table's row (each row a record of its own)
            if trimmed.is_empty() || trimmed.starts_with('|') || opens_chinese_article(trimmed) {
                new_para = true;
            }
            let mut first_in_line = true;
            for (offset, word) in word_offsets(line) {
                // Markdown markers at the start of a line: headings, quotes, bullets.
                if first_in_line
                    && (word.chars().all(|c| c == '#') || word == ">" || word == "-" || word == "+")
                {
                    if word.starts_with('#') {
                        new_para = true;
                    }
                    continue;
                }
                first_in_line = false;
                let Some(n) = norm_word(word) else { continue };
                if !t.norm.is_empty() {
                    t.norm.push(' ');
                }
                t.word_starts.push(t.norm.len());
                t.norm.push_str(&n);
                t.word_lines.push(line_no as u32 + 1);
                let start = line_start + offset;
                t.word_spans.push((start, start + word.len()));
                t.para_starts.push(new_para);
                new_para = false;
            }
            if trimmed.starts_with('#') {
                new_para = true;
            }
            line_start += line.len() + 1;
        }
        t
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.word_starts.len()
    }

    /// True when word `w` opens a paragraph (after a blank line or a heading).
    pub fn opens_paragraph(&self, w: usize) -> bool {
        self.para_starts.get(w).copied().unwrap_or(true)
    }

    /// True when the text has no words.
    pub fn is_empty(&self) -> bool {
        self.word_starts.is_empty()
    }

    /// Byte offset in `norm` of the first occurrence of `phrase` (normalised the
    /// same way) that does not start inside a word.
    pub fn find(&self, phrase: &str) -> Option<usize> {
        let p = NormText::new(phrase).norm;
        if p.is_empty() {
            return None;
        }
        // memchr's SIMD search (the knowledge base's title phrases are looked
        // for in every text that resembles a family), over bytes: a valid
        // UTF-8 phrase starts only at a character boundary of the text.
        let finder = memchr::memmem::Finder::new(p.as_bytes());
        let hay = self.norm.as_bytes();
        let mut from = 0;
        while let Some(pos) = hay.get(from..).and_then(|h| finder.find(h)) {
            let at = from + pos;
            let inside_word = self
                .norm
                .get(..at)
                .and_then(|before| before.chars().next_back())
                .is_some_and(char::is_alphanumeric);
            if !inside_word {
                return Some(at);
            }
            from = at + 1;
        }
        None
    }

    /// The word holding byte `at` of `norm`.
    pub fn word_at(&self, at: usize) -> usize {
        match self.word_starts.binary_search(&at) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// 1-based original line of byte `at` of `norm`.
    pub fn line_at(&self, at: usize) -> u32 {
        self.word_lines.get(self.word_at(at)).copied().unwrap_or(1)
    }

    /// The sentence around byte `at` of `norm`, as word indices `[first, last]`.
    pub fn sentence_words(&self, at: usize) -> (usize, usize) {
        let w = self.word_at(at);
        let ends_sentence = |i: usize| self.ends_sentence(i);
        let mut first = w;
        while first > 0 && !self.para_starts[first] && !ends_sentence(first - 1) {
            first -= 1;
        }
        let mut last = w;
        while last + 1 < self.len() && !ends_sentence(last) && !self.para_starts[last + 1] {
            last += 1;
        }
        (first, last)
    }

    /// The normalised word `i`.
    fn word(&self, i: usize) -> &str {
        let start = self.word_starts[i];
        let end = self
            .word_starts
            .get(i + 1)
            .map(|s| s - 1)
            .unwrap_or(self.norm.len());
        self.norm.get(start..end).unwrap_or("")
    }

    /// True when word `i` ends a sentence: a full stop, semicolon, question
    /// or exclamation mark, or a colon — except the colon of a short label
    /// whose value is the next line ("Commercial use:" ⏎ "Not permitted",
    /// 商业使用： ⏎ 不允许), which reads with its value as one sentence,
    /// ended by the value's line.
    fn ends_sentence(&self, i: usize) -> bool {
        let word = self.word(i);
        if word.ends_with(['.', ';', '?', '!']) {
            return true;
        }
        if word.ends_with(':') {
            return !self.labels_next_line(i);
        }
        // the last word of a label's value line
        let line = self.word_lines[i];
        if self.word_lines.get(i + 1).is_some_and(|&n| n == line) {
            return false;
        }
        let first = self.line_start(i);
        first > 0 && self.labels_next_line(first - 1)
    }

    /// The first word on word `i`'s line.
    fn line_start(&self, i: usize) -> usize {
        let line = self.word_lines[i];
        let mut first = i;
        while first > 0 && self.word_lines[first - 1] == line {
            first -= 1;
        }
        first
    }

    /// True when word `i` is the colon of a label ("Commercial use:", at
    /// most four words, a whole line, no verb of a sentence) whose value is
    /// the next line (at most six words, no label itself, no list item or
    /// bullet): a list's intro ("You may not:") is no label.
    fn labels_next_line(&self, i: usize) -> bool {
        const NOT_LABEL: [&str; 16] = [
            "may",
            "must",
            "shall",
            "will",
            "can",
            "not",
            "no",
            "you",
            "we",
            "agree",
            "following",
            "include",
            "includes",
            "means",
            "is",
            "are",
        ];
        let Some(&next_line) = self.word_lines.get(i + 1) else {
            return false;
        };
        if !self.word(i).ends_with(':') {
            return false;
        }
        let line = self.word_lines[i];
        if next_line != line + 1 || self.para_starts[i + 1] {
            return false;
        }
        let first = self.line_start(i);
        if i + 1 - first > 4
            || (first..=i).any(|w| NOT_LABEL.contains(&self.word(w).trim_end_matches(':')))
        {
            return false;
        }
        let value: Vec<usize> = (i + 1..self.len())
            .take_while(|&w| self.word_lines[w] == next_line)
            .collect();
        value.len() <= 6
            && !value.iter().any(|&w| self.word(w).ends_with(':'))
            && !self.opens_with_marker(i + 1)
    }

    /// True when the original line of word `w` opens with a bullet or a list
    /// item's marker (`-`, `*`, `•`, `(a)`, `1.`, `i)`).
    fn opens_with_marker(&self, w: usize) -> bool {
        let Some(&(start, _)) = self.word_spans.get(w) else {
            return false;
        };
        let line_start = self.original[..start].rfind('\n').map_or(0, |n| n + 1);
        let line = self.original[line_start..].trim_start();
        if line.starts_with(['-', '*', '+', '>', '•', '·', '▪', '|']) {
            return true;
        }
        let head = line.split_whitespace().next().unwrap_or("");
        let marker = head.trim_start_matches('(');
        marker.len() <= 5
            && marker.ends_with(['.', ')'])
            && marker[..marker.len() - 1]
                .chars()
                .all(|c| c.is_ascii_alphanumeric())
            && marker.len() > 1
    }

    /// Byte offset in `norm` of word `w`.
    pub fn word_offset(&self, w: usize) -> usize {
        self.word_starts.get(w).copied().unwrap_or(self.norm.len())
    }

    /// The normalised text of words `first..=last`.
    pub fn words_text(&self, first: usize, last: usize) -> &str {
        let start = self.word_offset(first);
        let end = self
            .word_starts
            .get(last + 1)
            .map(|s| s - 1)
            .unwrap_or(self.norm.len());
        self.norm.get(start..end.max(start)).unwrap_or("")
    }

    /// Every sentence, in order, as word ranges `(first, last)`.
    pub fn sentences(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut w = 0;
        while w < self.len() {
            let (f, l) = self.sentence_words(self.word_offset(w));
            out.push((f.max(w), l));
            w = l + 1;
        }
        out
    }

    /// 1-based original lines of words `first..=last`.
    pub fn lines_of(&self, first: usize, last: usize) -> (u32, u32) {
        (
            self.word_lines.get(first).copied().unwrap_or(1),
            self.word_lines.get(last).copied().unwrap_or(1),
        )
    }

    /// The original text of words `first..=last`, whitespace collapsed, cut to `max` characters.
    pub fn quote(&self, first: usize, last: usize, max: usize) -> String {
        let (Some(&(s, _)), Some(&(_, e))) =
            (self.word_spans.get(first), self.word_spans.get(last))
        else {
            return String::new();
        };
        let raw = self.original.get(s..e).unwrap_or("");
        // Only the beginning can be shown: collapse no more than that (a
        // sentence may be megabytes long).
        let mut cut_at = raw.len();
        let mut non_space = 0usize;
        for (i, c) in raw.char_indices() {
            if !c.is_whitespace() {
                non_space += 1;
                if non_space > max {
                    cut_at = i;
                    break;
                }
            }
        }
        let raw = raw.get(..cut_at).unwrap_or(raw);
        let collapsed: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if cut_at == self.original.get(s..e).map_or(0, str::len) && collapsed.chars().count() <= max
        {
            collapsed
        } else {
            let cut: String = collapsed.chars().take(max.saturating_sub(1)).collect();
            format!("{}…", cut.trim_end())
        }
    }

    /// Alphanumeric tokens, for shingles.
    pub fn tokens(&self) -> Vec<&str> {
        self.norm
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// The hashed `SHINGLE`-word shingles, sorted and without repeats.
    pub fn shingles(&self) -> Vec<u64> {
        shingles_of(&self.tokens())
    }

    /// Alphanumeric tokens (as [`NormText::tokens`]) with the word each belongs to.
    pub fn word_tokens(&self) -> Vec<(&str, usize)> {
        let mut out = Vec::with_capacity(self.len());
        for w in 0..self.len() {
            let word = self.words_text(w, w);
            out.extend(
                word.split(|c: char| !c.is_alphanumeric())
                    .filter(|t| !t.is_empty())
                    .map(|t| (t, w)),
            );
        }
        out
    }

    /// The original text's lines (line `n` is at index `n - 1`).
    pub fn original_lines(&self) -> Vec<&str> {
        self.original.split('\n').collect()
    }
}

/// The hash of one shingle (FNV-1a over each word and a separator), as
/// [`shingles_of`] and the build script compute it.
pub fn shingle_hash(window: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for t in window {
        for b in t.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        h = (h ^ 0xff).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Hashed `SHINGLE`-word shingles of a token list, sorted and without
/// repeats (a set that [`dice`] and [`contains`] read by merge and by
/// binary search). The hash is FNV-1a over each word and a separator, so the
/// build script computes the same values for the bundled texts.
pub fn shingles_of(tokens: &[&str]) -> Vec<u64> {
    let mut set = Vec::with_capacity(tokens.len());
    for w in tokens.windows(SHINGLE) {
        set.push(shingle_hash(w));
    }
    set.sort_unstable();
    set.dedup();
    set
}

/// Whether the sorted shingle set `set` holds `h`.
pub fn contains(set: &[u64], h: u64) -> bool {
    set.binary_search(&h).is_ok()
}

/// Dice coefficient of two sorted shingle sets, counted by one merge.
pub fn dice(a: &[u64], b: &[u64]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * common as f32 / (a.len() + b.len()) as f32
}

/// Words of a line with their byte offsets.
/// The words of a line with their byte offsets: runs of non-space, each cut
/// after a full-width sentence end (`。；！？`), since Chinese text has no
/// spaces between its sentences.
fn word_offsets(line: &str) -> impl Iterator<Item = (usize, &str)> {
    line.split_whitespace().flat_map(move |w| {
        let base = w.as_ptr() as usize - line.as_ptr() as usize;
        w.split_inclusive(['。', '；', '！', '？'])
            .map(move |piece| {
                (
                    base + (piece.as_ptr() as usize - w.as_ptr() as usize),
                    piece,
                )
            })
    })
}

/// True when a line opens a Chinese article or section ("第三条 …", "第二章",
/// "三、使用条件"): it starts a clause of its own, so a heading above it
/// without a full stop is not read (and cited) as part of its first sentence.
fn opens_chinese_article(line: &str) -> bool {
    const NUMERALS: &str = "一二三四五六七八九十百零〇0123456789";
    let numbered = |rest: &str| -> Option<char> {
        let after = rest.trim_start_matches(|c: char| NUMERALS.contains(c) || c == ' ');
        (after.len() < rest.len())
            .then(|| after.chars().next())
            .flatten()
    };
    if let Some(rest) = line.strip_prefix('第') {
        return matches!(numbered(rest), Some('条' | '章' | '节' | '款'));
    }
    // 三、 (a Chinese numeral and the enumeration comma)
    line.starts_with(|c: char| "一二三四五六七八九十".contains(c))
        && matches!(numbered(line), Some('、'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chinese_article_starts_a_clause_of_its_own() {
        for line in ["第三条 使用限制", "第12条", "第二章 许可", "三、使用条件"]
        {
            assert!(opens_chinese_article(line), "{line}");
        }
        for line in ["第三方数据", "三方协议", "第一个版本", "一般条款"] {
            assert!(!opens_chinese_article(line), "{line}");
        }
        // a heading without a full stop is not joined to the article below it
        let t = NormText::new("第一条 许可范围\n第二条 您可以出于非商业用途使用本模型。");
        let sentences = t.sentences();
        assert_eq!(sentences.len(), 2, "{sentences:?}");
        assert_eq!(t.lines_of(sentences[1].0, sentences[1].1), (2, 2));
    }

    #[test]
    fn traditional_characters_read_as_simplified() {
        // stock-forecasting-personal-non-commercial-model-license-zh-en.txt
        // (tests/license-eval), line 5
        let t = NormText::new("自然人可使用本人資金交易；組織使用、第三方資金管理及商業用途禁止。");
        assert_eq!(
            t.norm,
            "自然人可使用本人资金交易; 组织使用、第三方资金管理及商业用途禁止."
        );
        // the table pairs one character with one, none folded to itself
        assert_eq!(
            super::TRADITIONAL.chars().count(),
            super::SIMPLIFIED.chars().count()
        );
        assert!(super::TRADITIONAL
            .chars()
            .zip(super::SIMPLIFIED.chars())
            .all(|(t, s)| t != s));
        // the original stays as it was for quotes
        assert!(t.quote(0, t.len() - 1, 200).contains("組織"));
    }

    #[test]
    fn normalisation_survives_wrapping_markdown_and_quotes() {
        let a = NormText::new("You must display “Built with Llama”\non the website.");
        let b = NormText::new(
            "## Section\n\nYou **must** display \"Built   with Llama\" on the\nwebsite.",
        );
        assert!(a
            .norm
            .contains("display \"built with llama\" on the website."));
        assert!(b.norm.ends_with(&a.norm), "{} / {}", b.norm, a.norm);
        let at = b.find("built with llama").unwrap();
        assert_eq!(b.line_at(at), 3);
    }

    #[test]
    fn phrases_match_at_word_boundaries_only() {
        let t = NormText::new("noncommercial use; commercial use");
        let at = t.find("commercial use").unwrap();
        assert_eq!(&t.norm[at..at + 14], "commercial use");
        assert!(at > 0 && &t.norm[at - 1..at] == " ");
    }

    #[test]
    fn sentences_and_quotes_come_from_the_original() {
        let text = "First sentence here.\nThe Second one spans\ntwo lines. Third.";
        let t = NormText::new(text);
        let at = t.find("spans two").unwrap();
        let (f, l) = t.sentence_words(at);
        assert_eq!(t.quote(f, l, 200), "The Second one spans two lines.");
        assert_eq!(t.lines_of(f, l), (2, 3));
    }

    #[test]
    fn a_label_reads_with_its_value_line_and_a_list_intro_does_not() {
        let t =
            NormText::new("Summary\n\nCommercial use:\nNot permitted\nResearch use:\nAllowed\n");
        let texts: Vec<&str> = t
            .sentences()
            .iter()
            .map(|&(f, l)| t.words_text(f, l))
            .collect();
        assert_eq!(
            texts,
            [
                "summary",
                "commercial use: not permitted",
                "research use: allowed"
            ]
        );
        // an intro with a verb, a long value, a bullet: not joined
        for text in [
            "You may not:\nuse it for harm\n",
            "Purpose:\nthis text says a great deal more than a label's value\n",
            "Prohibited uses:\n- Military use\n",
        ] {
            let t = NormText::new(text);
            assert_eq!(t.sentences().len(), 2, "{text}");
        }
        // each row of a table is a sentence of its own
        let t = NormText::new("| Use | Allowed |\n|---|---|\n| Commercial use | No |\n");
        assert_eq!(t.sentences().len(), 3);
    }

    #[test]
    fn quotes_of_long_sentences_are_cut_and_short_ones_whole() {
        let long = format!("{}end.", "word ".repeat(100_000));
        let t = NormText::new(&long);
        let q = t.quote(0, t.len() - 1, 40);
        assert!(q.ends_with('…') && q.chars().count() <= 40, "{q}");
        let t = NormText::new("A short\n  sentence.");
        assert_eq!(t.quote(0, t.len() - 1, 40), "A short sentence.");
        let exact = NormText::new("abcd efgh");
        assert_eq!(exact.quote(0, 1, 9), "abcd efgh");
    }

    #[test]
    fn dice_of_identical_and_disjoint_texts() {
        let a = NormText::new("the quick brown fox jumps over the lazy dog").shingles();
        let b = NormText::new("The quick brown fox\njumps over the lazy dog.").shingles();
        assert!((dice(&a, &b) - 1.0).abs() < 1e-6);
        let c = NormText::new("completely different words in this text here").shingles();
        assert_eq!(dice(&a, &c), 0.0);
    }

    #[test]
    fn dice_counts_shared_shingles_once() {
        // "a b c d" has shingles {abc, bcd}; "a b c a b c" has {abc, bca, cab}.
        let a = NormText::new("a b c d").shingles();
        let b = NormText::new("a b c a b c").shingles();
        assert_eq!((a.len(), b.len()), (2, 3));
        assert!((dice(&a, &b) - 2.0 * 1.0 / 5.0).abs() < 1e-6);
        assert!(a.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        let bcd = a.iter().copied().find(|h| !b.contains(h)).unwrap();
        assert!(contains(&a, bcd) && !contains(&b, bcd));
    }
}
