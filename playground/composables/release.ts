/** Group commit subjects by conventional-commit type: feat, fix, and the rest. */
export function useReleaseSections(subjects: string[]) {
  const sections = { Features: [] as string[], Fixes: [] as string[], Other: [] as string[] }
  for (const subject of subjects) {
    const match = /^(\w+)(\([^)]*\))?!?:\s*(.+)$/.exec(subject)
    const type = match?.[1]
    const text = match?.[3] ?? subject
    if (type === 'feat') sections.Features.push(text)
    else if (type === 'fix') sections.Fixes.push(text)
    else sections.Other.push(text)
  }
  return Object.entries(sections).filter(([, items]) => items.length > 0).map(([title, items]) => ({ title, items }))
}
