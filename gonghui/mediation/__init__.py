"""Labour-dispute mediation (六方联动调解网络) and legal aid: mediation bodies and their
mediators, cases from application to agreement or arbitration, payments recovered, legal-aid
consultations and representation by contracted lawyers."""
