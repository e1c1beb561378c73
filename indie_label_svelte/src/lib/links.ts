// Links the About and Help tabs share.

/** The CSCW 2022 paper that introduced IndieLabel. */
export const PAPER_URL = "https://arxiv.org/abs/2208.08621";
