import { Money } from '../../src/common/money/money';
import { draftTotals, type PostingRecipe } from '../../src/ledger/domain/entry-draft';

/** A recipe's lines as [account, side, amount], so a spec reads like the postings table in the docs. */
export function recipeLines(recipe: PostingRecipe): [string, 'Dr' | 'Cr', string][] {
  return recipe.entry.lines.map((l) => (l.debit ? [l.account, 'Dr', l.debit.toString()] : [l.account, 'Cr', (l.credit as Money).toString()]));
}

/** Both sides of the recipe's entry total `total` to the fen. */
export function expectBalanced(recipe: PostingRecipe, total: string): void {
  const { debits, credits } = draftTotals(recipe.entry);
  expect(debits.toString()).toBe(total);
  expect(credits.toString()).toBe(total);
}
