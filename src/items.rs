//! Groups of sibling items: the shape that reader-comment threads ([`crate::threads`]) and
//! related-story lists ([`crate::related`]) share, found from the blocks up.
//!
//! Both are an element whose children are a run of small, alike items (a signed post; a
//! linked title with its summary) beside the page's own text. [`ItemWalk`] gives the three
//! things such a rule needs: the elements holding blocks that pass a test ([`ItemWalk::holding`]),
//! the items of each element ([`ItemWalk::groups`]) and the elements around the page's own
//! text, which are never a group ([`ItemWalk::around_text`]). The rules decide what an item
//! is and how many make a group; this module only walks the element tree.
//!
//! Data flow: a segmented [`Page`] in (its blocks' containers and each container's parent),
//! element sets and per-block flags out.
//!
//! ```
//! use gleaner::items::ItemWalk;
//!
//! let page = gleaner::extract::segment_html(
//!     "<p>The story's own long paragraph, which is the text the page exists for.</p>\
//!      <ul><li><a href=/a>One</a></li><li><a href=/b>Two</a></li><li>Three</li></ul>",
//! );
//! let walk = ItemWalk::new(&page);
//! let linked = walk.holding(&|b| b.links > 0);
//! let groups = walk.groups(|item| linked.contains(&item));
//! // The list's two linked items (the third has no link) are the only group of two or more.
//! let lists: Vec<u32> = groups
//!     .iter()
//!     .filter(|(_, items)| items.len() >= 2)
//!     .map(|(&list, _)| list)
//!     .collect();
//! assert_eq!(lists.len(), 1);
//! let flags = walk.blocks_within(&lists.into_iter().collect());
//! assert_eq!(flags, [false, true, true, true]);
//! ```

use rustc_hash::{FxHashMap, FxHashSet};

use crate::features::paragraph_parent;
use crate::page_type::PageType;
use crate::segment::{Block, ContainerStats, Page};

/// How far up from a block element the walk looks (elements, not only block-level ones):
/// comment and card markup nests an item's text a few wrappers deep.
pub const ITEM_WALK_DEPTH: usize = 8;

/// The page's element tree seen from its blocks.
pub struct ItemWalk<'a> {
    page: &'a Page,
}

impl<'a> ItemWalk<'a> {
    pub fn new(page: &'a Page) -> Self {
        ItemWalk { page }
    }

    /// The statistics of an element (an index into [`Page::containers`]).
    pub fn stats(&self, element: u32) -> &'a ContainerStats {
        &self.page.containers[element as usize]
    }

    /// The elements above a block's own element, nearest first, at most [`ITEM_WALK_DEPTH`].
    pub fn ancestors(&self, block: &Block) -> impl Iterator<Item = u32> + 'a {
        let containers = &self.page.containers;
        let mut element = block.containers[0];
        std::iter::from_fn(move || {
            let current = containers.get(element as usize)?;
            let parent = current.parent;
            if parent == element {
                return None;
            }
            element = parent;
            Some(parent)
        })
        .take(ITEM_WALK_DEPTH)
    }

    /// A block's own element, then its [`ancestors`](Self::ancestors): every element holding it
    /// within the walk's depth.
    pub fn elements_of(&self, block: &Block) -> impl Iterator<Item = u32> + 'a {
        std::iter::once(block.containers[0]).chain(self.ancestors(block))
    }

    /// The elements holding any block that passes `test`: the block's own and its ancestors.
    pub fn holding(&self, test: &dyn Fn(&Block) -> bool) -> FxHashSet<u32> {
        let mut elements = FxHashSet::default();
        for block in self.page.blocks.iter().filter(|b| test(b)) {
            elements.extend(self.elements_of(block));
        }
        elements
    }

    /// For every element with children that pass `is_item`: those children.
    pub fn groups(&self, is_item: impl Fn(u32) -> bool) -> FxHashMap<u32, FxHashSet<u32>> {
        let mut groups: FxHashMap<u32, FxHashSet<u32>> = FxHashMap::default();
        for block in &self.page.blocks {
            let mut item = block.containers[0];
            for parent in self.ancestors(block) {
                if is_item(item) {
                    groups.entry(parent).or_default().insert(item);
                }
                item = parent;
            }
        }
        groups
    }

    /// The direct parent of the most prose (where the page's own text sits) and every
    /// element above it:
    /// a group there would wrap the page's own text, not sit beside it.
    pub fn around_text(&self) -> FxHashSet<u32> {
        let mut around = FxHashSet::default();
        let mut element = paragraph_parent(self.page);
        while let Some(stats) = self.page.containers.get(element as usize) {
            if !around.insert(element) || stats.parent == element {
                break;
            }
            element = stats.parent;
        }
        around
    }

    /// Whether an element's items hold at least `share` of its blocks.
    pub fn covered(&self, element: u32, items: &FxHashSet<u32>, share: f64) -> bool {
        let item_blocks: u32 = items.iter().map(|&i| self.stats(i).blocks).sum();
        f64::from(item_blocks) >= share * f64::from(self.stats(element).blocks)
    }

    /// Per block: whether it is one of `elements` or one of them holds it.
    pub fn blocks_within_or_at(&self, elements: &FxHashSet<u32>) -> Vec<bool> {
        let mut flags = self.blocks_within(elements);
        for (flag, block) in flags.iter_mut().zip(&self.page.blocks) {
            *flag |= elements.contains(&block.containers[0]);
        }
        flags
    }

    /// Per block: whether one of `elements` holds it.
    pub fn blocks_within(&self, elements: &FxHashSet<u32>) -> Vec<bool> {
        if elements.is_empty() {
            return vec![false; self.page.blocks.len()];
        }
        self.page
            .blocks
            .iter()
            .map(|block| self.ancestors(block).any(|a| elements.contains(&a)))
            .collect()
    }
}

/// Whether the page-type probabilities make an article the page's likeliest type (ties
/// included): the page type the rules after the model work on. False without them.
pub fn likeliest_is_article(page_type: Option<&[f64; 7]>) -> bool {
    page_type.is_some_and(|p| {
        let article = p[PageType::Article.index()];
        p.iter().all(|&other| other <= article)
    })
}

/// Lowers to half the threshold the score of every flagged block; other blocks keep their
/// scores. Half, not just under: an adapter fitted on a user's pages may still raise a block,
/// but only with clear evidence.
pub fn hold_below_threshold(scores: &mut [f64], flags: &[bool], threshold: f64) {
    for (score, _) in scores.iter_mut().zip(flags).filter(|(_, &flag)| flag) {
        *score = score.min(threshold / 2.0);
    }
}

/// For tests of the rules: of the blocks whose text contains `pattern`, how many are flagged,
/// and how many there are.
#[cfg(test)]
pub(crate) fn flagged_among(page: &Page, flags: &[bool], pattern: &str) -> (usize, usize) {
    let matching: Vec<bool> = page
        .blocks
        .iter()
        .zip(flags)
        .filter(|(b, _)| b.text.contains(pattern))
        .map(|(_, &f)| f)
        .collect();
    (matching.iter().filter(|&&f| f).count(), matching.len())
}
