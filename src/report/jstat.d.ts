/** The one jStat function mdq uses (jstat ships no types). */
declare module 'jstat' {
  const jStat: {
    chisquare: { cdf(x: number, degreesOfFreedom: number): number };
  };
  export default jStat;
}
