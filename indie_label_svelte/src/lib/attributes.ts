// How a rater attribute of the dataset is named on screen (the group model and the self-description).
const TITLES: Record<string, string> = {
  lgbtq_status: "LGBTQ+ status",
  religion_important: "Importance of religion",
};

export const titleOf = (attribute: string) =>
  TITLES[attribute] ?? attribute.replace(/_/g, " ").replace(/^./, (first) => first.toUpperCase());
